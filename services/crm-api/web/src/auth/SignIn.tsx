import { useState, type SyntheticEvent } from "react";

import { ApiError } from "../api/problem";
import { Button } from "../ui/Button";
import { TextField } from "../ui/Field";
import { useSession } from "./session";

/** The sign-in form: full page when signed out, inside a dialog when a session expired. */
export function SignInForm({ username: knownUsername }: { username?: string }) {
  const { signIn } = useSession();
  const [username, setUsername] = useState(knownUsername ?? "");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: SyntheticEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(username, password);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : "Could not reach the server");
      setPassword("");
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="form" onSubmit={(event) => void submit(event)}>
      {error && (
        <div className="form__error" role="alert">
          {error}
        </div>
      )}
      <TextField
        label="Username"
        name="username"
        autoComplete="username"
        required
        autoFocus={!knownUsername}
        value={username}
        onChange={(event) => setUsername(event.target.value)}
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        autoFocus={Boolean(knownUsername)}
        value={password}
        onChange={(event) => setPassword(event.target.value)}
      />
      <Button type="submit" variant="primary" disabled={busy}>
        {busy ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}

export function SignInPage() {
  return (
    <main className="auth-page">
      <div className="card auth-card">
        <h1>LP CRM</h1>
        <p className="muted">Sign in to your fund's CRM.</p>
        <SignInForm />
      </div>
    </main>
  );
}
