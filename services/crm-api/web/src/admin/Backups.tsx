/**
 * Backups: the list, a backup now, verify, and restore after a preview of what it would bring
 * back and take away; the automatic backups' policy.
 */
import "./ui/admin.css";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { api, unwrap } from "../api/client";
import { ApiError } from "../api/problem";
import type { components } from "../api/schema";
import { formatDateTime, formatNumber, formatRelative } from "../lib/format";
import { Button } from "../ui/Button";
import { Dialog } from "../ui/Dialog";
import { Badge, EmptyState, PageHeader, SkeletonRows } from "../ui/Feedback";
import { TextField } from "../ui/Field";
import { useToast } from "../ui/toast";
import { formatBytes } from "./backupsFormat";
import { ErrorState, problemText, RequireAdmin } from "./ui/States";

type Backup = components["schemas"]["BackupRead"];

const KIND_LABEL: Record<Backup["kind"], string> = { manual: "by hand", auto: "automatic", pre_restore: "before a restore" };

function Verification({ backup }: { backup: Backup }) {
  const v = backup.verification;
  if (!v) return <Badge>not verified</Badge>;
  return (
    <span title={`${v.detail} (${formatDateTime(v.checked_at)})`}>
      <Badge tone={v.ok ? "success" : "danger"}>{v.ok ? "verified" : "failed check"}</Badge>
    </span>
  );
}

function RestoreDialog({ backup, onClose }: { backup: Backup; onClose: () => void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [understood, setUnderstood] = useState(false);
  const preview = useQuery({
    queryKey: ["backups", backup.id, "preview"],
    queryFn: () => unwrap(api.GET("/api/admin/backups/{backup_id}/preview", { params: { path: { backup_id: backup.id } } })),
    gcTime: 0,
  });
  const restore = useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/admin/backups/{backup_id}/restore", { params: { path: { backup_id: backup.id } }, body: { confirm: backup.id } })),
    onSuccess: (result) => {
      toast.show(
        `Restored the backup of ${formatDateTime(result.backup.created_at)} in ${formatNumber(result.duration_ms)} ms; today's data is saved as a backup first`,
        { ms: 10_000 },
      );
      void queryClient.invalidateQueries();
      onClose();
    },
  });
  const changedTables = (preview.data?.tables ?? []).filter((t) => (t.removed ?? 0) + (t.returned ?? 0) + (t.changed ?? 0) > 0 || t.live !== t.backup);
  return (
    <Dialog open title={`Restore the backup of ${formatDateTime(backup.created_at)}?`} onClose={onClose}>
      <div className="stack">
        {preview.isPending ? (
          <SkeletonRows rows={5} />
        ) : preview.isError ? (
          <ErrorState error={preview.error} onRetry={() => void preview.refetch()} />
        ) : (
          <>
            <p>
              The CRM goes back to how it was then. A backup of today's data is made first, and the interaction log keeps every entry
              made since{preview.data.kept.length ? ` (kept: ${preview.data.kept.join(", ")})` : ""}.
            </p>
            {preview.data.schema_change && (
              <div className="callout callout--warn">
                <div className="callout__title">Older schema</div>
                The backup was made by an older version; it is migrated after the restore.
              </div>
            )}
            {!preview.data.exact && <p className="muted">Counts are estimates for large tables.</p>}
            {changedTables.length === 0 ? (
              <p className="muted">The data matches today's: nothing would change.</p>
            ) : (
              <div className="table-wrap" style={{ maxHeight: "18rem" }}>
                <table className="table">
                  <caption>What the restore changes, table by table</caption>
                  <thead>
                    <tr>
                      <th scope="col">Table</th>
                      <th scope="col" className="num">
                        Now
                      </th>
                      <th scope="col" className="num">
                        After
                      </th>
                      <th scope="col" className="num">
                        Lost
                      </th>
                      <th scope="col" className="num">
                        Back
                      </th>
                      <th scope="col" className="num">
                        Changed
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {changedTables.map((table) => (
                      <tr key={table.table}>
                        <th scope="row">{table.table.replace(/_/g, " ")}</th>
                        <td className="num">{formatNumber(table.live)}</td>
                        <td className="num">{formatNumber(table.backup)}</td>
                        <td className="num">{formatNumber(table.removed)}</td>
                        <td className="num">{formatNumber(table.returned)}</td>
                        <td className="num">{formatNumber(table.changed)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <label className="check">
              <input type="checkbox" checked={understood} onChange={(e) => setUnderstood(e.target.checked)} />
              I understand that changes made since this backup are replaced.
            </label>
          </>
        )}
        {restore.isError && (
          <div className="form__error" role="alert">
            {problemText(restore.error)}
          </div>
        )}
        <div className="form__actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="danger" disabled={!understood || restore.isPending || !preview.data} onClick={() => restore.mutate()}>
            {restore.isPending ? "Restoring…" : "Restore this backup"}
          </Button>
        </div>
      </div>
    </Dialog>
  );
}

function Policy() {
  const queryClient = useQueryClient();
  const toast = useToast();
  const policy = useQuery({ queryKey: ["backups", "policy"], queryFn: () => unwrap(api.GET("/api/admin/backups/policy")) });
  const [draft, setDraft] = useState<{ enabled: boolean; interval_hours: string; keep_last: string; keep_days: string } | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const save = useMutation({
    mutationFn: (body: components["schemas"]["BackupPolicy"]) => unwrap(api.PUT("/api/admin/backups/policy", { body })),
    onSuccess: (saved) => {
      setDraft(null);
      setErrors({});
      queryClient.setQueryData(["backups", "policy"], saved);
      toast.show(saved.enabled ? `Automatic backups every ${saved.interval_hours} h` : "Automatic backups are off");
    },
    onError: (error) => setErrors(error instanceof ApiError ? error.fieldErrors() : { interval_hours: problemText(error) }),
  });
  if (policy.isPending) return <SkeletonRows rows={3} />;
  if (policy.isError) return <ErrorState error={policy.error} onRetry={() => void policy.refetch()} />;
  const current = draft ?? {
    enabled: policy.data.enabled,
    interval_hours: String(policy.data.interval_hours),
    keep_last: String(policy.data.keep_last),
    keep_days: policy.data.keep_days === null || policy.data.keep_days === undefined ? "" : String(policy.data.keep_days),
  };
  const edit = (patch: Partial<typeof current>) => setDraft({ ...current, ...patch });
  return (
    <section className="card stack" aria-labelledby="policy-title">
      <div className="card__title">
        <h2 id="policy-title">Automatic backups</h2>
        <span className="muted">
          {policy.data.enabled && policy.data.next_due_at ? `Next ${formatRelative(policy.data.next_due_at)}` : "Off"}
        </span>
      </div>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate({
            enabled: current.enabled,
            interval_hours: Number(current.interval_hours),
            keep_last: Number(current.keep_last),
            keep_days: current.keep_days.trim() ? Number(current.keep_days) : null,
          });
        }}
      >
        <label className="check">
          <input type="checkbox" checked={current.enabled} onChange={(e) => edit({ enabled: e.target.checked })} />
          Make backups automatically
        </label>
        <div className="form__row">
          <TextField
            label="Every (hours)"
            type="number"
            min={0.25}
            step="any"
            value={current.interval_hours}
            onChange={(e) => edit({ interval_hours: e.target.value })}
            error={errors.interval_hours}
          />
          <TextField
            label="Keep the last"
            type="number"
            min={1}
            value={current.keep_last}
            onChange={(e) => edit({ keep_last: e.target.value })}
            error={errors.keep_last}
            hint="automatic backups"
          />
          <TextField
            label="Keep for (days)"
            type="number"
            min={1}
            value={current.keep_days}
            placeholder="no age limit"
            onChange={(e) => edit({ keep_days: e.target.value })}
            error={errors.keep_days}
          />
        </div>
        <div className="form__actions">
          {draft && <Button onClick={() => setDraft(null)}>Discard</Button>}
          <Button type="submit" variant="primary" disabled={!draft || save.isPending}>
            Save policy
          </Button>
        </div>
      </form>
    </section>
  );
}

function BackupsScreen() {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [note, setNote] = useState("");
  const [restoring, setRestoring] = useState<Backup | null>(null);
  const list = useQuery({ queryKey: ["backups", "list"], queryFn: () => unwrap(api.GET("/api/admin/backups")) });
  const create = useMutation({
    mutationFn: () => unwrap(api.POST("/api/admin/backups", { body: { note: note.trim() } })),
    onSuccess: (backup) => {
      setNote("");
      toast.show(`Backup made: ${formatBytes(backup.size)} in ${formatNumber(backup.duration_ms)} ms`);
      void queryClient.invalidateQueries({ queryKey: ["backups", "list"] });
    },
    onError: (error) => toast.show(problemText(error), { tone: "error" }),
  });
  const verify = useMutation({
    mutationFn: (id: string) => unwrap(api.POST("/api/admin/backups/{backup_id}/verify", { params: { path: { backup_id: id } } })),
    onSuccess: (backup) => {
      toast.show(backup.verification?.ok ? "The backup checks out: checksum and integrity are good" : `The backup failed its check: ${backup.verification?.detail ?? ""}`, {
        tone: backup.verification?.ok ? "info" : "error",
      });
      void queryClient.invalidateQueries({ queryKey: ["backups", "list"] });
    },
    onError: (error) => toast.show(problemText(error), { tone: "error" }),
  });
  return (
    <div className="page ops-page">
      <PageHeader title="Backups" subtitle="Copies of the whole CRM database. Verify them now and then; restore shows what it changes first." />
      {list.data && !list.data.available && (
        <div className="callout callout--warn" role="status">
          <div className="callout__title">Backups are not available here</div>
          {list.data.reason ?? "The backup directory cannot be used."}
        </div>
      )}
      <section className="card stack" aria-labelledby="new-backup-title">
        <h2 id="new-backup-title">Back up now</h2>
        <form
          className="toolbar"
          onSubmit={(event) => {
            event.preventDefault();
            create.mutate();
          }}
        >
          <TextField label="Note (optional)" maxLength={500} value={note} placeholder="before the year-end import" onChange={(e) => setNote(e.target.value)} />
          <Button type="submit" variant="primary" disabled={create.isPending || list.data?.available === false}>
            {create.isPending ? "Backing up…" : "Make a backup"}
          </Button>
        </form>
      </section>
      <section className="stack" aria-labelledby="backups-title">
        <h2 id="backups-title">Saved backups</h2>
        {list.isPending ? (
          <SkeletonRows rows={5} />
        ) : list.isError ? (
          <ErrorState error={list.error} onRetry={() => void list.refetch()} />
        ) : list.data.items.length === 0 ? (
          <EmptyState title="No backups yet">
            <p>Make one now, or switch on automatic backups below.</p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Backups, newest first; stored in {list.data.directory}</caption>
              <thead>
                <tr>
                  <th scope="col">Made</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Note</th>
                  <th scope="col" className="num">
                    Size
                  </th>
                  <th scope="col">Check</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((backup) => (
                  <tr key={backup.id}>
                    <td title={backup.file}>
                      {formatDateTime(backup.created_at)}
                      {backup.restored_at && backup.restored_at.length > 0 && (
                        <>
                          {" "}
                          <Badge tone="accent">restored {formatRelative(backup.restored_at[backup.restored_at.length - 1])}</Badge>
                        </>
                      )}
                    </td>
                    <td>{KIND_LABEL[backup.kind]}</td>
                    <td className="wrap">{backup.note || "—"}</td>
                    <td className="num">{formatBytes(backup.size)}</td>
                    <td>
                      <Verification backup={backup} />
                    </td>
                    <td className="actions">
                      <div className="row">
                        <Button small disabled={verify.isPending} onClick={() => verify.mutate(backup.id)} aria-label={`Verify the backup of ${formatDateTime(backup.created_at)}`}>
                          Verify
                        </Button>
                        <Button small variant="danger" onClick={() => setRestoring(backup)} aria-label={`Restore the backup of ${formatDateTime(backup.created_at)}`}>
                          Restore
                        </Button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <Policy />
      {restoring && <RestoreDialog backup={restoring} onClose={() => setRestoring(null)} />}
    </div>
  );
}

export default function Backups() {
  return (
    <RequireAdmin what="Backups">
      <BackupsScreen />
    </RequireAdmin>
  );
}
