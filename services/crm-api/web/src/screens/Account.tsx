import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type SyntheticEvent } from "react";

import { api, unwrap } from "../api/client";
import { ApiError } from "../api/problem";
import { useUser } from "../auth/session";
import { describeUserAgent } from "../lib/agent";
import { formatDateTime, formatRelative } from "../lib/format";
import { Button } from "../ui/Button";
import { Badge, PageHeader, SkeletonRows } from "../ui/Feedback";
import { TextField } from "../ui/Field";
import { useToast } from "../ui/toast";

const ROLE_LABEL: Record<string, string> = { admin: "administrator", member: "member", agent: "agent" };

function PasswordForm() {
  const toast = useToast();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const change = useMutation({
    mutationFn: () => unwrap(api.POST("/api/auth/password", { body: { current_password: current, new_password: next } })),
    onSuccess: () => {
      setCurrent("");
      setNext("");
      setErrors({});
      toast.show("Password changed; your other sessions have ended");
    },
    onError: (error) => {
      if (error instanceof ApiError) {
        const fields = error.fieldErrors();
        setErrors(Object.keys(fields).length > 0 ? fields : { new_password: error.message });
      }
    },
  });
  return (
    <form
      className="form"
      onSubmit={(event: SyntheticEvent) => {
        event.preventDefault();
        change.mutate();
      }}
    >
      <TextField label="Current password" type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} error={errors.current_password} />
      <TextField label="New password" type="password" autoComplete="new-password" required value={next} onChange={(e) => setNext(e.target.value)} error={errors.new_password} hint="At least 12 characters." />
      <div className="form__actions">
        <Button type="submit" variant="primary" disabled={change.isPending}>
          Change password
        </Button>
      </div>
    </form>
  );
}

function Sessions() {
  const queryClient = useQueryClient();
  const sessions = useQuery({ queryKey: ["auth", "sessions"], queryFn: () => unwrap(api.GET("/api/auth/sessions")) });
  const end = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/api/auth/sessions/{session_id}", { params: { path: { session_id: id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["auth", "sessions"] }),
  });
  if (sessions.isPending) return <SkeletonRows rows={2} />;
  return (
    <table className="table">
      <thead>
        <tr>
          <th scope="col">Device</th>
          <th scope="col">Address</th>
          <th scope="col">Signed in</th>
          <th scope="col">Last seen</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {(sessions.data ?? []).map((session) => (
          <tr key={session.id}>
            <td>
              <span title={session.user_agent ?? undefined}>{describeUserAgent(session.user_agent)}</span>{" "}
              {session.is_current && <Badge tone="accent">this one</Badge>}
            </td>
            <td>{session.ip ?? "—"}</td>
            <td>{formatDateTime(session.created_at)}</td>
            <td>{formatRelative(session.last_seen_at)}</td>
            <td>
              {!session.is_current && (
                <Button small variant="danger" onClick={() => end.mutate(session.id)}>
                  End
                </Button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default function Account() {
  const user = useUser();
  return (
    <div className="page">
      <PageHeader title="My account" subtitle={`Signed in as ${user.username} · ${ROLE_LABEL[user.role] ?? user.role}`} />
      <div className="grid-cards">
        <section className="card" aria-labelledby="pw-title">
          <div className="card__title">
            <h2 id="pw-title">Password</h2>
          </div>
          <PasswordForm />
        </section>
      </div>
      <section className="card" aria-labelledby="sessions-title">
        <div className="card__title">
          <h2 id="sessions-title">My sessions</h2>
        </div>
        <div className="table-wrap">
          <Sessions />
        </div>
      </section>
    </div>
  );
}
