/** The audit log: every change with who made it and what it changed, filtered and paged. */
import "./ui/admin.css";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Fragment, useState } from "react";

import { api, unwrap } from "../api/client";
import type { components } from "../api/schema";
import { useUsers } from "../api/users";
import { RecordLink } from "../agents/RecordLink";
import { formatDateTime, formatRelative } from "../lib/format";
import { Badge, EmptyState, PageHeader, SkeletonRows } from "../ui/Feedback";
import { SelectField, TextField } from "../ui/Field";
import { DiffTable } from "./ui/DiffTable";
import { diffRecords, fieldLabel, NOISE_FIELDS, rowsFromChanges } from "./ui/diff";
import { useCursorPages, useListParams } from "./ui/listState";
import { Pager } from "./ui/Pager";
import { SavedViews } from "../views/SavedViews";
import { SearchField } from "./ui/SearchField";
import { ErrorState, RequireAdmin } from "./ui/States";

type Entry = components["schemas"]["AuditEntryRead"];

const PAGE_SIZE = 50;

const ENTITY_TYPES = [
  "contact",
  "organization",
  "opportunity",
  "communication",
  "follow_up",
  "lp_profile",
  "fund",
  "tag",
  "proposal",
  "user",
  "api_key",
  "grid_row",
  "grid_column",
  "grid_view",
  "grid_list",
  "grid_rule",
  "saved_view",
  "backup",
  "feature_request",
];

const ACTIONS = ["create", "update", "delete", "restore", "purge", "approve", "reject"];

const ACTION_TONE: Record<string, "success" | "accent" | "danger" | "warning" | "neutral"> = {
  create: "success",
  update: "accent",
  delete: "danger",
  purge: "danger",
  restore: "warning",
};

/** A `datetime-local` value (the user's time) as the API's aware ISO time. */
export function localToIso(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function EntryDetail({ entry }: { entry: Entry }) {
  const rows = entry.changes ? rowsFromChanges(entry.changes) : diffRecords(entry.before, entry.after, { hideNoise: true, onlyChanged: true });
  return (
    <div className="stack">
      <DiffTable rows={rows} caption={`Changes of ${entry.entity_type} ${entry.entity_id}`} showBefore={entry.action !== "create"} />
      <span className="muted">
        Request <span className="mono">{entry.request_id ?? "—"}</span> · actor <span className="mono">{entry.actor_id}</span>
      </span>
    </div>
  );
}

function AuditLog() {
  const { values, set, replaceAll } = useListParams({ entity_type: "", entity_id: "", actor_id: "", action: "", since: "", until: "" });
  const pages = useCursorPages<number>(JSON.stringify(values));
  const [open, setOpen] = useState<number | null>(null);
  const users = useUsers();
  const keys = useQuery({ queryKey: ["api-keys", "all"], queryFn: () => unwrap(api.GET("/api/admin/api-keys")) });

  const query = useQuery({
    queryKey: ["audit-log", values, pages.cursor],
    queryFn: () =>
      unwrap(
        api.GET("/api/audit-log", {
          params: {
            query: {
              entity_type: values.entity_type || null,
              entity_id: values.entity_id || null,
              actor_id: values.actor_id || null,
              action: values.action || null,
              since: localToIso(values.since),
              until: localToIso(values.until),
              cursor: pages.cursor,
              limit: PAGE_SIZE,
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });

  const actorOptions = [
    { value: "", label: "Anyone" },
    ...(users.data ?? []).map((u) => ({ value: u.id, label: u.display_name })),
    ...(keys.data ?? []).map((k) => ({ value: k.id, label: `Key: ${k.name}` })),
  ];
  if (values.actor_id && !actorOptions.some((o) => o.value === values.actor_id)) actorOptions.push({ value: values.actor_id, label: values.actor_id });
  const items = query.data?.items ?? [];

  return (
    <div className="page ops-page">
      <PageHeader title="Audit log" subtitle="Every change to the CRM: who made it, when, and each field before and after." />
      <div className="filters" role="search" aria-label="Filter the audit log">
        <SelectField
          label="Record type"
          value={values.entity_type}
          options={[{ value: "", label: "Any" }, ...ENTITY_TYPES.map((t) => ({ value: t, label: fieldLabel(t) }))]}
          onChange={(e) => set({ entity_type: e.target.value })}
        />
        <SearchField label="Record id" value={values.entity_id} onChange={(entity_id) => set({ entity_id })} placeholder="Any record" />
        <SelectField label="Who" value={values.actor_id} options={actorOptions} onChange={(e) => set({ actor_id: e.target.value })} />
        <SelectField
          label="Action"
          value={values.action}
          options={[{ value: "", label: "Any" }, ...ACTIONS.map((a) => ({ value: a, label: a }))]}
          onChange={(e) => set({ action: e.target.value })}
        />
        <TextField label="From" type="datetime-local" value={values.since} onChange={(e) => set({ since: e.target.value })} />
        <TextField label="Until" type="datetime-local" value={values.until} onChange={(e) => set({ until: e.target.value })} />
        <SavedViews list="audit" params={values} onApply={replaceAll} />
      </div>
      {query.isPending ? (
        <SkeletonRows rows={10} />
      ) : query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="No changes match">
          <p>Widen the dates or clear a filter. Every create, edit, delete and restore lands here.</p>
        </EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Audit log, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">Record</th>
                  <th scope="col">Fields</th>
                  <th scope="col">
                    <span className="visually-hidden">Details</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((entry) => {
                  const fields = Object.keys(entry.changes ?? {}).filter((field) => field !== "id" && !NOISE_FIELDS.has(field));
                  return (
                    <Fragment key={entry.id}>
                      <tr>
                        <td title={formatDateTime(entry.at)}>{formatRelative(entry.at)}</td>
                        <td>
                          {entry.actor_name ?? entry.actor_id} <span className="muted">({entry.actor_kind})</span>
                        </td>
                        <td>
                          <Badge tone={ACTION_TONE[entry.action] ?? "neutral"}>{entry.action}</Badge>
                        </td>
                        <td>
                          <RecordLink type={entry.entity_type} id={entry.entity_id} />
                        </td>
                        <td className="wrap">
                          {fields.length ? fields.slice(0, 4).map(fieldLabel).join(", ") + (fields.length > 4 ? ` +${fields.length - 4}` : "") : "—"}
                        </td>
                        <td>
                          <button
                            type="button"
                            className="expander"
                            aria-expanded={open === entry.id}
                            aria-label={`${open === entry.id ? "Hide" : "Show"} the changes of entry ${entry.id}`}
                            onClick={() => setOpen(open === entry.id ? null : entry.id)}
                          >
                            {open === entry.id ? "Hide" : "Changes"}
                          </button>
                        </td>
                      </tr>
                      {open === entry.id && (
                        <tr className="detail-row">
                          <td colSpan={6}>
                            <EntryDetail entry={entry} />
                          </td>
                        </tr>
                      )}
                    </Fragment>
                  );
                })}
              </tbody>
            </table>
          </div>
          <Pager
            page={pages.page}
            hasPrev={pages.hasPrev}
            nextCursor={query.data.next_cursor}
            shown={items.length}
            onPrev={pages.prev}
            onNext={pages.next}
          />
        </>
      )}
    </div>
  );
}

export default function Audit() {
  return (
    <RequireAdmin what="The audit log">
      <AuditLog />
    </RequireAdmin>
  );
}
