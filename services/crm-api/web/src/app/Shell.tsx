import { Suspense, useState } from "react";
import { NavLink, Outlet, useNavigate } from "react-router";

import { isAdmin, useSession, useUser } from "../auth/session";
import { SignInForm } from "../auth/SignIn";
import { Button } from "../ui/Button";
import { Dialog } from "../ui/Dialog";
import { SkeletonRows } from "../ui/Feedback";
import { applyTheme, storedTheme, type Theme } from "../ui/theme";
import { NAV } from "./nav";

const NEXT_THEME: Record<Theme, Theme> = { system: "dark", dark: "light", light: "system" };
const THEME_LABEL: Record<Theme, string> = { system: "Theme: system", dark: "Theme: dark", light: "Theme: light" };

function SearchBox() {
  const navigate = useNavigate();
  const [q, setQ] = useState("");
  return (
    <form
      role="search"
      className="topbar__search"
      onSubmit={(event) => {
        event.preventDefault();
        if (q.trim()) void navigate(`/search?q=${encodeURIComponent(q.trim())}`);
      }}
    >
      <label className="visually-hidden" htmlFor="global-search">
        Search everything
      </label>
      <input
        id="global-search"
        className="input"
        type="search"
        placeholder="Search people, firms, notes, emails…"
        value={q}
        onChange={(event) => setQ(event.target.value)}
      />
    </form>
  );
}

export function Shell() {
  const user = useUser();
  const { state, signOut } = useSession();
  const [theme, setTheme] = useState<Theme>(storedTheme);
  const admin = isAdmin(user);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <nav className="sidenav" aria-label="Main">
        <div className="sidenav__brand">LP CRM</div>
        {NAV.map((section) => {
          const items = section.items.filter((item) => admin || !item.adminOnly);
          if (items.length === 0) return null;
          return (
            <div key={section.label} className="sidenav__section">
              <div className="sidenav__heading">{section.label}</div>
              <ul>
                {items.map((item) => (
                  <li key={item.to}>
                    <NavLink to={item.to} end={item.end ?? item.to === "/"} className="sidenav__link">
                      {item.label}
                    </NavLink>
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
      </nav>
      <div className="shell__main">
        <header className="topbar">
          <SearchBox />
          <div className="row">
            <Button
              variant="ghost"
              small
              onClick={() => {
                const next = NEXT_THEME[theme];
                applyTheme(next);
                setTheme(next);
              }}
            >
              {THEME_LABEL[theme]}
            </Button>
            <span className="muted" aria-label="Signed in as">
              {user.display_name}
            </span>
            <Button small onClick={() => void signOut()}>
              Sign out
            </Button>
          </div>
        </header>
        <main id="main" tabIndex={-1} className="shell__content">
          <Suspense
            fallback={
              <div className="page">
                <SkeletonRows />
              </div>
            }
          >
            <Outlet />
          </Suspense>
        </main>
      </div>
      <Dialog open={state.kind === "expired"} title="Your session has ended" onClose={() => undefined}>
        <p className="muted">Sign in again to carry on; nothing on this page is lost.</p>
        <SignInForm username={user.username} />
      </Dialog>
    </div>
  );
}
