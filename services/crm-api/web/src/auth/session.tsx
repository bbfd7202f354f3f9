/**
 * Who is signed in. The cookie is HttpOnly, so the page learns it from GET /api/auth/session;
 * the CSRF token that comes with it stays in memory (api/client.ts).
 *
 * When the server answers 401 mid-work the session is "expired": the app keeps the screen (and
 * any unsaved form) mounted and asks for the password over it, then retries what failed.
 */
import { useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";

import { api, onSessionExpired, setCsrfToken, unwrap } from "../api/client";
import type { components } from "../api/schema";

export type BrowserSession = components["schemas"]["BrowserSession"];
export type User = components["schemas"]["UserRead"];

type State =
  | { kind: "loading" }
  | { kind: "setup" }
  | { kind: "signed-out" }
  | { kind: "signed-in"; session: BrowserSession }
  | { kind: "expired"; session: BrowserSession };

interface SessionApi {
  state: State;
  user: User | null;
  signIn: (username: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
  setupDone: () => void;
}

const SessionContext = createContext<SessionApi | null>(null);

async function loadSession(): Promise<State> {
  // Both at once: a signed-in reload (the common case) waits for one round trip, not two.
  const [status, current] = await Promise.all([
    unwrap(api.GET("/api/bootstrap/status")),
    api.GET("/api/auth/session"),
  ]);
  if (status.setup_required) return { kind: "setup" };
  const { data, response } = current;
  if (response.status === 401 || !data) return { kind: "signed-out" };
  return { kind: "signed-in", session: data };
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>({ kind: "loading" });
  const queryClient = useQueryClient();

  useEffect(() => {
    let live = true;
    loadSession()
      .then((next) => {
        if (!live) return;
        if (next.kind === "signed-in") setCsrfToken(next.session.csrf_token);
        setState(next);
      })
      .catch(() => {
        if (live) setState({ kind: "signed-out" });
      });
    return () => {
      live = false;
    };
  }, []);

  useEffect(
    () =>
      onSessionExpired(() => {
        setCsrfToken(null);
        setState((current) => (current.kind === "signed-in" ? { kind: "expired", session: current.session } : current));
      }),
    [],
  );

  const signIn = useCallback(
    async (username: string, password: string) => {
      const session = await unwrap(api.POST("/api/auth/session", { body: { username, password } }));
      setCsrfToken(session.csrf_token);
      setState((current) => {
        // Someone else signing in on this screen must not see the previous user's cached data.
        if (current.kind === "expired" && current.session.user.id !== session.user.id) queryClient.clear();
        return { kind: "signed-in", session };
      });
      await queryClient.invalidateQueries();
    },
    [queryClient],
  );

  const signOut = useCallback(async () => {
    await api.DELETE("/api/auth/session").catch(() => undefined);
    setCsrfToken(null);
    queryClient.clear();
    setState({ kind: "signed-out" });
  }, [queryClient]);

  const setupDone = useCallback(() => setState({ kind: "signed-out" }), []);

  const value = useMemo<SessionApi>(
    () => ({
      state,
      user: state.kind === "signed-in" || state.kind === "expired" ? state.session.user : null,
      signIn,
      signOut,
      setupDone,
    }),
    [state, signIn, signOut, setupDone],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value;
}

/** The signed-in user; only for screens behind the sign-in gate. */
export function useUser(): User {
  const { user } = useSession();
  if (!user) throw new Error("useUser with nobody signed in");
  return user;
}

export function isAdmin(user: User): boolean {
  return user.role === "admin";
}
