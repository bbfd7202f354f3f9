import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type SyntheticEvent } from "react";
import { useSearchParams } from "react-router";

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

const MAIL_OUTCOME: Record<string, string> = {
  connected: "Your mailbox is connected; its mail syncs shortly.",
  denied: "Google did not grant access to your mailbox.",
  failed: "Connecting your mailbox failed (the link was used or expired): start again.",
  unavailable: "Mail sync is not running right now: try again later.",
};

function MailSettings({ userId }: { userId: string }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [params] = useSearchParams();
  const outcome = params.get("mail");
  const accounts = useQuery({
    queryKey: ["email", "accounts"],
    queryFn: () => unwrap(api.GET("/api/email/accounts")),
    retry: false,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["email", "accounts"] });
  const onError = (error: Error) => toast.show(error.message);
  const connect = useMutation({
    mutationFn: () => unwrap(api.POST("/api/email/oauth/start")),
    onSuccess: (started) => window.location.assign(started.url),
    onError,
  });
  const enroll = useMutation({
    mutationFn: () => unwrap(api.POST("/api/email/accounts", { body: { auth_kind: "service_account" } })),
    onSuccess: refresh,
    onError,
  });
  const change = useMutation({
    mutationFn: ({ id, action }: { id: string; action: "pause" | "resume" }) =>
      unwrap(api.POST("/api/email/accounts/{account_id}/{action}", { params: { path: { account_id: id, action } } })),
    onSuccess: refresh,
    onError,
  });
  const syncNow = useMutation({
    mutationFn: (id: string) => unwrap(api.POST("/api/email/sync/run", { body: { account_id: id } })),
    onSuccess: () => toast.show("Sync started"),
    onError,
  });

  if (accounts.isPending) return <SkeletonRows rows={2} />;
  if (accounts.isError) return <p className="muted">Mail sync is not available right now.</p>;
  const mine = accounts.data.accounts.find((account) => account.user_id === userId && account.status !== "removed");
  return (
    <div className="stack">
      {outcome && MAIL_OUTCOME[outcome] && <p role="status">{MAIL_OUTCOME[outcome]}</p>}
      {mine ? (
        <>
          <p>
            {mine.email} <Badge tone={mine.status === "active" ? "success" : mine.status === "error" ? "danger" : "warning"}>{mine.status}</Badge>{" "}
            {mine.is_opted_out && <Badge tone="warning">opted out</Badge>}
          </p>
          {mine.status_detail && <p className="muted">{mine.status_detail}</p>}
          <p className="muted">
            Last sync: {mine.last_sync_at ? formatRelative(mine.last_sync_at) : "not yet"} · {mine.messages_seen} messages seen
          </p>
          <div className="row">
            {mine.status === "paused" ? (
              <Button small onClick={() => change.mutate({ id: mine.id, action: "resume" })}>
                Resume
              </Button>
            ) : (
              <Button small onClick={() => change.mutate({ id: mine.id, action: "pause" })}>
                Pause
              </Button>
            )}
            <Button small onClick={() => syncNow.mutate(mine.id)} disabled={mine.status !== "active"}>
              Sync now
            </Button>
            {mine.auth_kind === "oauth" && (
              <Button small onClick={() => connect.mutate()}>
                Reconnect with Google
              </Button>
            )}
          </div>
        </>
      ) : (
        <>
          <p className="muted">Your mailbox is not synced: its mail with CRM contacts would show on their dossiers.</p>
          <div className="row">
            <Button small variant="primary" onClick={() => connect.mutate()} disabled={connect.isPending}>
              Connect with Google
            </Button>
            <Button small onClick={() => enroll.mutate()} disabled={enroll.isPending}>
              Enroll through the workspace
            </Button>
          </div>
        </>
      )}
    </div>
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
        <section className="card" aria-labelledby="mail-title">
          <div className="card__title">
            <h2 id="mail-title">My mailbox</h2>
          </div>
          <MailSettings userId={user.id} />
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
