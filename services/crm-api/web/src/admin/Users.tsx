/**
 * Users and roles: create, change role, deactivate (never delete), and end a user's sessions.
 * GET /api/users answers every user at once, so search and filters run here.
 */
import "./ui/admin.css";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { api, unwrap } from "../api/client";
import { ApiError } from "../api/problem";
import type { components } from "../api/schema";
import { useUsers } from "../api/users";
import { useUser } from "../auth/session";
import { formatDateTime, formatNumber, formatRelative } from "../lib/format";
import { Button } from "../ui/Button";
import { Dialog } from "../ui/Dialog";
import { Badge, EmptyState, PageHeader, SkeletonRows } from "../ui/Feedback";
import { SelectField, TextField } from "../ui/Field";
import { useToast } from "../ui/toast";
import { ConfirmDialog } from "./ui/ConfirmDialog";
import { useListParams } from "./ui/listState";
import { SavedViews } from "../views/SavedViews";
import { SearchField } from "./ui/SearchField";
import { ErrorState, problemText, RequireAdmin } from "./ui/States";
import { filterUsers } from "./users";

type User = components["schemas"]["UserRead"];
type Role = components["schemas"]["Role"];

const ROLES: { value: Role; label: string }[] = [
  { value: "admin", label: "Admin" },
  { value: "member", label: "Member" },
  { value: "agent", label: "Agent" },
];

function CreateUser({ open, onClose }: { open: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [form, setForm] = useState({ username: "", display_name: "", email: "", role: "member" as Role, password: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/admin/users", {
          body: {
            username: form.username.trim(),
            display_name: form.display_name.trim() || form.username.trim(),
            email: form.email.trim() || null,
            role: form.role,
            password: form.password,
          },
        }),
      ),
    onSuccess: (user) => {
      toast.show(`${user.display_name} can sign in now`);
      setForm({ username: "", display_name: "", email: "", role: "member", password: "" });
      setErrors({});
      setFormError(null);
      void queryClient.invalidateQueries({ queryKey: ["users"] });
      onClose();
    },
    onError: (error) => {
      const fields = error instanceof ApiError ? error.fieldErrors() : {};
      setErrors(fields);
      setFormError(Object.keys(fields).length ? null : problemText(error));
    },
  });
  const field = (name: keyof typeof form) => ({
    value: form[name],
    onChange: (event: { target: { value: string } }) => setForm((current) => ({ ...current, [name]: event.target.value })),
    error: errors[name],
  });
  return (
    <Dialog open={open} title="New user" onClose={onClose}>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate();
        }}
      >
        <div className="form__row">
          <TextField label="Username" required autoComplete="off" maxLength={64} {...field("username")} />
          <TextField label="Display name" maxLength={200} {...field("display_name")} />
        </div>
        <div className="form__row">
          <TextField label="Email" type="email" autoComplete="off" {...field("email")} />
          <SelectField label="Role" options={ROLES} {...field("role")} />
        </div>
        <TextField
          label="First password"
          type="password"
          autoComplete="new-password"
          required
          hint="12 characters or more, not a common one; they can change it under My account."
          {...field("password")}
        />
        {formError && (
          <div className="form__error" role="alert">
            {formError}
          </div>
        )}
        <div className="form__actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create user"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function Sessions({ user, onClose }: { user: User; onClose: () => void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const key = ["users", user.id, "sessions"];
  const sessions = useQuery({
    queryKey: key,
    queryFn: () => unwrap(api.GET("/api/admin/users/{user_id}/sessions", { params: { path: { user_id: user.id } } })),
  });
  const endOne = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/api/admin/sessions/{session_id}", { params: { path: { session_id: id } } })),
    onSuccess: () => {
      toast.show("Session ended");
      void queryClient.invalidateQueries({ queryKey: key });
    },
    onError: (error) => toast.show(problemText(error), { tone: "error" }),
  });
  const endAll = useMutation({
    mutationFn: () => unwrap(api.DELETE("/api/admin/users/{user_id}/sessions", { params: { path: { user_id: user.id } } })),
    onSuccess: () => {
      toast.show(`Every session of ${user.display_name} ended: they must sign in again`);
      void queryClient.invalidateQueries({ queryKey: key });
    },
    onError: (error) => toast.show(problemText(error), { tone: "error" }),
  });
  const live = (sessions.data ?? []).filter((session) => !session.revoked_at);
  return (
    <Dialog open title={`Sessions of ${user.display_name}`} onClose={onClose}>
      <div className="stack">
        {sessions.isPending ? (
          <SkeletonRows rows={3} />
        ) : sessions.isError ? (
          <ErrorState error={sessions.error} />
        ) : live.length === 0 ? (
          <EmptyState title="Not signed in anywhere" />
        ) : (
          <ul className="list">
            {live.map((session) => (
              <li key={session.id} className="list__item">
                <span>
                  {session.user_agent ?? "unknown device"}
                  <br />
                  <span className="muted">
                    {session.ip ?? "—"} · signed in {formatDateTime(session.created_at)} · seen {formatRelative(session.last_seen_at)}
                  </span>
                </span>
                <Button small variant="danger" onClick={() => endOne.mutate(session.id)} disabled={endOne.isPending}>
                  End
                </Button>
              </li>
            ))}
          </ul>
        )}
        <div className="form__actions">
          <Button onClick={onClose}>Close</Button>
          <Button variant="danger" disabled={live.length === 0 || endAll.isPending} onClick={() => endAll.mutate()}>
            End all {formatNumber(live.length)} sessions
          </Button>
        </div>
      </div>
    </Dialog>
  );
}

function UserRow({ user, me, onSessions }: { user: User; me: boolean; onSessions: () => void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [confirming, setConfirming] = useState(false);
  const update = useMutation({
    mutationFn: (body: components["schemas"]["UserUpdate"]) =>
      unwrap(api.PATCH("/api/admin/users/{user_id}", { params: { path: { user_id: user.id } }, body })),
    onSuccess: (saved, body) => {
      setConfirming(false);
      toast.show(
        body.role
          ? `${saved.display_name} is now ${saved.role}`
          : saved.is_active
            ? `${saved.display_name} can sign in again`
            : `${saved.display_name} is deactivated: signed out everywhere, keys stopped`,
      );
      void queryClient.invalidateQueries({ queryKey: ["users"] });
    },
    onError: (error) => toast.show(problemText(error), { tone: "error" }),
  });
  return (
    <tr>
      <th scope="row">
        {user.display_name} {me && <Badge tone="accent">you</Badge>}
        <div className="muted mono">{user.username}</div>
      </th>
      <td>{user.email ?? "—"}</td>
      <td>
        {me ? (
          <span title="You cannot change your own role">{user.role}</span>
        ) : (
          <>
            <label className="visually-hidden" htmlFor={`role-${user.id}`}>
              Role of {user.display_name}
            </label>
            <select
              id={`role-${user.id}`}
              className="select"
              style={{ width: "auto" }}
              value={user.role}
              disabled={update.isPending}
              onChange={(event) => update.mutate({ role: event.target.value as Role })}
            >
              {ROLES.map((role) => (
                <option key={role.value} value={role.value}>
                  {role.label}
                </option>
              ))}
            </select>
          </>
        )}
      </td>
      <td>{user.is_active ? <Badge tone="success">active</Badge> : <Badge>deactivated</Badge>}</td>
      <td title={user.last_login_at ? formatDateTime(user.last_login_at) : undefined}>
        {user.last_login_at ? formatRelative(user.last_login_at) : "never"}
      </td>
      <td className="actions">
        <div className="row">
          <Button small onClick={onSessions} aria-label={`Sessions of ${user.display_name}`}>
            Sessions
          </Button>
          {!me &&
            (user.is_active ? (
              <Button small variant="danger" onClick={() => setConfirming(true)} aria-label={`Deactivate ${user.display_name}`}>
                Deactivate
              </Button>
            ) : (
              <Button small onClick={() => update.mutate({ is_active: true })} aria-label={`Reactivate ${user.display_name}`}>
                Reactivate
              </Button>
            ))}
        </div>
        <ConfirmDialog
          open={confirming}
          title={`Deactivate ${user.display_name}?`}
          confirmLabel="Deactivate"
          danger
          busy={update.isPending}
          onConfirm={() => update.mutate({ is_active: false })}
          onClose={() => setConfirming(false)}
        >
          <p>They are signed out everywhere and their API keys stop working. Their records and history stay; you can reactivate them.</p>
        </ConfirmDialog>
      </td>
    </tr>
  );
}

function UsersList() {
  const me = useUser();
  const { values, set, replaceAll } = useListParams({ q: "", role: "", status: "active", sort: "name" });
  const [creating, setCreating] = useState(false);
  const [sessionsOf, setSessionsOf] = useState<User | null>(null);
  const users = useUsers();
  const shown = filterUsers(users.data ?? [], values);
  return (
    <div className="page ops-page">
      <PageHeader
        title="Users"
        subtitle="Who can sign in, and as what. People are deactivated, never deleted."
        actions={
          <Button variant="primary" onClick={() => setCreating(true)}>
            New user
          </Button>
        }
      />
      <div className="filters" role="search" aria-label="Filter users">
        <SearchField label="Search" value={values.q} onChange={(q) => set({ q })} placeholder="Name, username, email" />
        <SelectField
          label="Role"
          value={values.role}
          options={[{ value: "", label: "Any" }, ...ROLES]}
          onChange={(e) => set({ role: e.target.value })}
        />
        <SelectField
          label="Status"
          value={values.status}
          options={[
            { value: "active", label: "Active" },
            { value: "inactive", label: "Deactivated" },
            { value: "all", label: "Everyone" },
          ]}
          onChange={(e) => set({ status: e.target.value })}
        />
        <SelectField
          label="Sort"
          value={values.sort}
          options={[
            { value: "name", label: "Name" },
            { value: "-last_login", label: "Last sign-in" },
            { value: "-created", label: "Newest" },
          ]}
          onChange={(e) => set({ sort: e.target.value })}
        />
        <SavedViews list="users" params={values} onApply={replaceAll} />
      </div>
      {users.isPending ? (
        <SkeletonRows rows={6} />
      ) : users.isError ? (
        <ErrorState error={users.error} onRetry={() => void users.refetch()} />
      ) : shown.length === 0 ? (
        <EmptyState title="Nobody matches">
          <p>Clear the search or the filters, or add someone with New user.</p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Users</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Last sign-in</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((user) => (
                <UserRow key={user.id} user={user} me={user.id === me.id} onSessions={() => setSessionsOf(user)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <CreateUser open={creating} onClose={() => setCreating(false)} />
      {sessionsOf && <Sessions user={sessionsOf} onClose={() => setSessionsOf(null)} />}
    </div>
  );
}

export default function Users() {
  return (
    <RequireAdmin what="Managing users">
      <UsersList />
    </RequireAdmin>
  );
}
