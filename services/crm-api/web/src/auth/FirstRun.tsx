import { useState, type SyntheticEvent } from "react";

import { api, unwrap } from "../api/client";
import { ApiError } from "../api/problem";
import { Button } from "../ui/Button";
import { TextField } from "../ui/Field";
import { useSession } from "./session";

/** The first administrator, on an empty CRM (GET /api/bootstrap/status says setup_required). */
export function FirstRunPage() {
  const { setupDone, signIn } = useSession();
  const [form, setForm] = useState({ username: "", display_name: "", email: "", password: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const set = (name: keyof typeof form) => (event: { target: { value: string } }) =>
    setForm((current) => ({ ...current, [name]: event.target.value }));

  async function submit(event: SyntheticEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setFailure(null);
    try {
      await unwrap(
        api.POST("/api/auth/register", {
          body: {
            username: form.username,
            display_name: form.display_name,
            email: form.email || null,
            password: form.password,
          },
        }),
      );
      setupDone();
      await signIn(form.username, form.password);
    } catch (caught) {
      if (caught instanceof ApiError) {
        setErrors(caught.fieldErrors());
        setFailure(caught.message);
      } else {
        setFailure("Could not reach the server");
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="auth-page">
      <div className="card auth-card">
        <h1>Welcome</h1>
        <p className="muted">This CRM is empty. Create the first administrator to begin.</p>
        <form className="form" onSubmit={(event) => void submit(event)}>
          {failure && (
            <div className="form__error" role="alert">
              {failure}
            </div>
          )}
          <TextField label="Your name" name="display_name" required value={form.display_name} onChange={set("display_name")} error={errors.display_name} autoFocus />
          <TextField label="Username" name="username" autoComplete="username" required value={form.username} onChange={set("username")} error={errors.username} />
          <TextField label="Email" name="email" type="email" autoComplete="email" value={form.email} onChange={set("email")} error={errors.email} />
          <TextField
            label="Password"
            name="password"
            type="password"
            autoComplete="new-password"
            required
            value={form.password}
            onChange={set("password")}
            error={errors.password}
            hint="At least 12 characters; a passphrase is best."
          />
          <Button type="submit" variant="primary" disabled={busy}>
            {busy ? "Creating…" : "Create administrator"}
          </Button>
        </form>
      </div>
    </main>
  );
}
