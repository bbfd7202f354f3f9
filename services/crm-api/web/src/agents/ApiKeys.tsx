/**
 * API keys for agents and services: create with scopes (the secret is shown once), revoke, and,
 * for admins, every key with its settings (rate limit, untrusted writes).
 */
import "../admin/ui/admin.css";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";

import { api, unwrap } from "../api/client";
import { ApiError } from "../api/problem";
import type { components } from "../api/schema";
import { useUsers } from "../api/users";
import { isAdmin, useUser } from "../auth/session";
import { ConfirmDialog } from "../admin/ui/ConfirmDialog";
import { CopyButton } from "../admin/ui/CopyButton";
import { ErrorState, problemText } from "../admin/ui/States";
import { formatDate, formatDateTime, formatRelative } from "../lib/format";
import { Button } from "../ui/Button";
import { Dialog } from "../ui/Dialog";
import { Badge, EmptyState, PageHeader, SkeletonRows } from "../ui/Feedback";
import { SelectField, TextField } from "../ui/Field";
import { useToast } from "../ui/toast";
import { AgentsTabs } from "./AgentsTabs";

type ApiKey = components["schemas"]["ApiKeyRead"];
type ApiKeyCreated = components["schemas"]["ApiKeyCreated"];
type Scope = components["schemas"]["Scope"];

const SCOPES: { value: Scope; label: string; hint: string; adminOnly?: boolean }[] = [
  { value: "read", label: "read", hint: "search, dossiers, timelines" },
  { value: "write:logged", label: "write:logged", hint: "notes, follow-ups, interactions (logged; may become proposals)" },
  { value: "read:sensitive", label: "read:sensitive", hint: "account numbers and tax ids unredacted" },
  { value: "admin", label: "admin", hint: "admin routes (services only)", adminOnly: true },
];

function keyState(key: ApiKey): { label: string; tone: "success" | "neutral" | "danger" } {
  if (key.revoked_at) return { label: "revoked", tone: "neutral" };
  if (key.expires_at && new Date(key.expires_at).getTime() < Date.now()) return { label: "expired", tone: "danger" };
  return { label: "active", tone: "success" };
}

function Scopes({ scopes }: { scopes: string[] }) {
  return (
    <span className="row">
      {scopes.map((scope) => (
        <Badge key={scope} tone={scope === "admin" ? "danger" : scope === "write:logged" ? "accent" : "neutral"}>
          {scope}
        </Badge>
      ))}
    </span>
  );
}

/** The new key, once: copy it now or lose it. */
function SecretDialog({ created, onClose }: { created: ApiKeyCreated | null; onClose: () => void }) {
  return (
    <Dialog open={created !== null} title="Your new API key" onClose={onClose}>
      {created && (
        <div className="stack">
          <div className="callout callout--warn" role="alert">
            <div className="callout__title">Copy it now: you won't see this key again.</div>
            Only its fingerprint is stored. If you lose it, revoke it and create another.
          </div>
          <div className="secret">
            <code aria-label="The new API key" data-testid="api-key-secret">
              {created.key}
            </code>
            <CopyButton value={created.key} label="Copy key" />
          </div>
          <p className="muted">
            Give it to the agent as <span className="mono">X-API-Key</span> (or <span className="mono">MCP_GATEWAY_API_KEY</span> for{" "}
            <span className="mono">mcp-gateway stdio</span>).
          </p>
          <div className="form__actions">
            <Button variant="primary" onClick={onClose}>
              I've saved it
            </Button>
          </div>
        </div>
      )}
    </Dialog>
  );
}

function CreateKey({ admin, onCreated }: { admin: boolean; onCreated: (key: ApiKeyCreated) => void }) {
  const queryClient = useQueryClient();
  const users = useUsers({ enabled: admin });
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Scope[]>(["read"]);
  const [expires, setExpires] = useState("");
  const [owner, setOwner] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);

  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/api-keys", {
          body: {
            name: name.trim(),
            scopes,
            expires_at: expires ? new Date(`${expires}T23:59:59`).toISOString() : null,
            owner_id: owner || null,
          },
        }),
      ),
    onSuccess: (created) => {
      setErrors({});
      setFormError(null);
      setName("");
      setExpires("");
      void queryClient.invalidateQueries({ queryKey: ["api-keys"] });
      onCreated(created);
    },
    onError: (error) => {
      const fields = error instanceof ApiError ? error.fieldErrors() : {};
      setErrors(fields);
      setFormError(Object.keys(fields).length ? null : problemText(error));
    },
  });

  return (
    <section className="card stack" aria-labelledby="new-key-title">
      <h2 id="new-key-title">New key</h2>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate();
        }}
      >
        <div className="form__row">
          <TextField
            label="Name"
            required
            maxLength={100}
            value={name}
            placeholder="claude-desktop, nightly-import…"
            onChange={(e) => setName(e.target.value)}
            error={errors.name}
          />
          <TextField
            label="Expires (optional)"
            type="date"
            value={expires}
            onChange={(e) => setExpires(e.target.value)}
            error={errors.expires_at}
            hint="Leave empty for a key that lasts until revoked."
          />
          {admin && (
            <SelectField
              label="Owner"
              value={owner}
              onChange={(e) => setOwner(e.target.value)}
              error={errors.owner_id}
              options={[
                { value: "", label: "Me" },
                ...(users.data ?? []).filter((u) => u.is_active).map((u) => ({ value: u.id, label: u.display_name })),
              ]}
            />
          )}
        </div>
        <fieldset className="checkboxes">
          <legend>Scopes</legend>
          {SCOPES.filter((scope) => admin || !scope.adminOnly).map((scope) => (
            <label key={scope.value} className="check">
              <input
                type="checkbox"
                checked={scopes.includes(scope.value)}
                onChange={(event) =>
                  setScopes((current) =>
                    event.target.checked ? [...current, scope.value] : current.filter((s) => s !== scope.value),
                  )
                }
              />
              <span>
                <span className="mono">{scope.label}</span> <span className="muted">— {scope.hint}</span>
              </span>
            </label>
          ))}
        </fieldset>
        {errors.scopes && (
          <span className="field__error" role="alert">
            {errors.scopes}
          </span>
        )}
        {formError && (
          <div className="form__error" role="alert">
            {formError}
          </div>
        )}
        <div className="form__actions">
          <Button type="submit" variant="primary" disabled={create.isPending || !name.trim()}>
            {create.isPending ? "Creating…" : "Create key"}
          </Button>
        </div>
      </form>
    </section>
  );
}

function RevokeButton({ apiKey, adminRoute }: { apiKey: ApiKey; adminRoute: boolean }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const revoke = useMutation({
    mutationFn: () =>
      adminRoute
        ? unwrap(api.POST("/api/admin/api-keys/{key_id}/revoke", { params: { path: { key_id: apiKey.id } } }))
        : unwrap(api.POST("/api/api-keys/{key_id}/revoke", { params: { path: { key_id: apiKey.id } } })),
    onSuccess: () => {
      setOpen(false);
      toast.show(`Key “${apiKey.name}” revoked: it stops working now`);
      void queryClient.invalidateQueries({ queryKey: ["api-keys"] });
    },
    onError: (error) => toast.show(problemText(error), { tone: "error" }),
  });
  if (apiKey.revoked_at) return null;
  return (
    <>
      <Button small variant="danger" onClick={() => setOpen(true)} aria-label={`Revoke key ${apiKey.name}`}>
        Revoke
      </Button>
      <ConfirmDialog
        open={open}
        title={`Revoke “${apiKey.name}”?`}
        confirmLabel="Revoke key"
        danger
        busy={revoke.isPending}
        onConfirm={() => revoke.mutate()}
        onClose={() => setOpen(false)}
      >
        <p>
          Anything using the key <span className="mono">{apiKey.prefix}…</span> is refused from now on. This cannot be undone; make a new
          key if you need one.
        </p>
      </ConfirmDialog>
    </>
  );
}

function MyKeys({ keys }: { keys: ApiKey[] }) {
  if (keys.length === 0) {
    return (
      <EmptyState title="No keys yet">
        <p>Create one below for an agent (Claude Desktop, Claude Code) or a service. Its calls show on the interaction log.</p>
      </EmptyState>
    );
  }
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Your API keys</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Key</th>
            <th scope="col">Scopes</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => {
            const state = keyState(key);
            return (
              <tr key={key.id}>
                <th scope="row">
                  <Link to={`/agents/log?actor=${encodeURIComponent(key.id)}`}>{key.name}</Link>
                </th>
                <td className="mono">{key.prefix}…</td>
                <td>
                  <Scopes scopes={key.scopes} />
                </td>
                <td>{formatDate(key.created_at)}</td>
                <td>{key.last_used_at ? formatRelative(key.last_used_at) : "never"}</td>
                <td>{key.expires_at ? formatDate(key.expires_at) : "never"}</td>
                <td>
                  <Badge tone={state.tone}>{state.label}</Badge>
                </td>
                <td className="actions">
                  <RevokeButton apiKey={key} adminRoute={false} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function RateLimit({ apiKey }: { apiKey: ApiKey }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [value, setValue] = useState(apiKey.rate_limit_per_minute?.toString() ?? "");
  const [error, setError] = useState<string | undefined>();
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PATCH("/api/admin/api-keys/{key_id}", {
          params: { path: { key_id: apiKey.id } },
          body: { rate_limit_per_minute: value.trim() === "" ? null : Number(value) },
        }),
      ),
    onSuccess: (saved) => {
      setError(undefined);
      toast.show(`Rate limit of “${saved.name}”: ${saved.rate_limit_per_minute ?? "default (120)"} a minute`);
      void queryClient.invalidateQueries({ queryKey: ["api-keys"] });
    },
    onError: (failure) => setError(failure instanceof ApiError ? (failure.fieldErrors().rate_limit_per_minute ?? problemText(failure)) : problemText(failure)),
  });
  const changed = value !== (apiKey.rate_limit_per_minute?.toString() ?? "");
  return (
    <form
      className="row"
      onSubmit={(event) => {
        event.preventDefault();
        save.mutate();
      }}
    >
      <label className="visually-hidden" htmlFor={`rate-${apiKey.id}`}>
        Calls a minute for {apiKey.name}
      </label>
      <input
        id={`rate-${apiKey.id}`}
        className="input"
        style={{ width: "6rem" }}
        type="number"
        min={1}
        inputMode="numeric"
        placeholder="120"
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `rate-${apiKey.id}-error` : undefined}
        onChange={(event) => setValue(event.target.value)}
        disabled={Boolean(apiKey.revoked_at)}
      />
      {changed && (
        <Button small type="submit" disabled={save.isPending}>
          Save
        </Button>
      )}
      {error && (
        <span className="field__error" id={`rate-${apiKey.id}-error`} role="alert">
          {error}
        </span>
      )}
    </form>
  );
}

function UntrustedSwitch({ apiKey }: { apiKey: ApiKey }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const toggle = useMutation({
    mutationFn: (allow: boolean) =>
      unwrap(
        api.PATCH("/api/admin/api-keys/{key_id}", {
          params: { path: { key_id: apiKey.id } },
          body: { allow_untrusted_writes: allow },
        }),
      ),
    onSuccess: (saved) => {
      toast.show(
        saved.allow_untrusted_writes
          ? `“${saved.name}” now writes directly after reading outside text (flagged on the log)`
          : `“${saved.name}”'s writes after outside text wait for a person again`,
      );
      void queryClient.invalidateQueries({ queryKey: ["api-keys"] });
    },
    onError: (error) => toast.show(problemText(error), { tone: "error" }),
  });
  return (
    <label className="check">
      <input
        type="checkbox"
        checked={apiKey.allow_untrusted_writes}
        disabled={toggle.isPending || Boolean(apiKey.revoked_at)}
        onChange={(event) => toggle.mutate(event.target.checked)}
      />
      <span>{apiKey.allow_untrusted_writes ? "writes directly" : "proposes"}</span>
      <span className="visually-hidden"> — untrusted writes for {apiKey.name}</span>
    </label>
  );
}

function AllKeys() {
  const keys = useQuery({ queryKey: ["api-keys", "all"], queryFn: () => unwrap(api.GET("/api/admin/api-keys")) });
  const users = useUsers();
  const [showRevoked, setShowRevoked] = useState(false);
  const names = new Map((users.data ?? []).map((u) => [u.id, u.display_name]));
  if (keys.isPending) return <SkeletonRows rows={4} />;
  if (keys.isError) return <ErrorState error={keys.error} onRetry={() => void keys.refetch()} />;
  const shown = keys.data.filter((key) => showRevoked || !key.revoked_at);
  return (
    <section className="stack" aria-labelledby="all-keys-title">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <h2 id="all-keys-title">Every key (admin)</h2>
        <label className="check">
          <input type="checkbox" checked={showRevoked} onChange={(e) => setShowRevoked(e.target.checked)} />
          Show revoked keys
        </label>
      </div>
      <p className="muted">
        After an agent's session reads outside text (emails, notes), its writes become proposals — unless its key writes directly. The rate
        limit is per minute, for the MCP gateway (empty: 120).
      </p>
      {shown.length === 0 ? (
        <EmptyState title="No keys">Keys anyone creates are listed here.</EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Every API key, with its settings</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Owner</th>
                <th scope="col">Scopes</th>
                <th scope="col">Last used</th>
                <th scope="col">After outside text</th>
                <th scope="col">Calls a minute</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((key) => {
                const state = keyState(key);
                return (
                  <tr key={key.id}>
                    <td>
                      {key.name} <span className="mono muted">{key.prefix}…</span>
                    </td>
                    <td>{names.get(key.owner_id) ?? key.owner_id}</td>
                    <td>
                      <Scopes scopes={key.scopes} />
                    </td>
                    <td title={key.last_used_at ? formatDateTime(key.last_used_at) : undefined}>
                      {key.last_used_at ? formatRelative(key.last_used_at) : "never"}
                    </td>
                    <td>
                      <UntrustedSwitch apiKey={key} />
                    </td>
                    <td>
                      <RateLimit key={`${key.id}-${key.rate_limit_per_minute ?? ""}`} apiKey={key} />
                    </td>
                    <td>
                      <Badge tone={state.tone}>{state.label}</Badge>
                    </td>
                    <td className="actions">
                      <RevokeButton apiKey={key} adminRoute />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export default function ApiKeys() {
  const user = useUser();
  const admin = isAdmin(user);
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  const mine = useQuery({ queryKey: ["api-keys", "mine"], queryFn: () => unwrap(api.GET("/api/api-keys")) });
  return (
    <div className="page ops-page">
      <PageHeader title="Agents" subtitle="Keys let agents and services use the CRM as themselves: scoped, logged, revocable." />
      <AgentsTabs />
      <section className="stack" aria-labelledby="my-keys-title">
        <h2 id="my-keys-title">Your keys</h2>
        {mine.isPending ? (
          <SkeletonRows rows={3} />
        ) : mine.isError ? (
          <ErrorState error={mine.error} onRetry={() => void mine.refetch()} />
        ) : (
          <MyKeys keys={mine.data} />
        )}
      </section>
      <CreateKey admin={admin} onCreated={setCreated} />
      {admin && <AllKeys />}
      <SecretDialog created={created} onClose={() => setCreated(null)} />
    </div>
  );
}
