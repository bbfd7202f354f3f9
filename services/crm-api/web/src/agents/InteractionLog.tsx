/**
 * The interaction log: every human touch and agent call, newest first, with the hash chain's
 * check, filtered by the API (who, record, tool or action, outcome, MCP session).
 */
import "../admin/ui/admin.css";

import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { Fragment, useMemo, useState } from "react";

import { api, unwrap } from "../api/client";
import { useUsers } from "../api/users";
import { isAdmin, useUser } from "../auth/session";
import { useListParams } from "../admin/ui/listState";
import { SavedViews } from "../views/SavedViews";
import { SearchField } from "../admin/ui/SearchField";
import { ErrorState, problemText } from "../admin/ui/States";
import { formatDateTime, formatNumber, formatRelative } from "../lib/format";
import { Button } from "../ui/Button";
import { Badge, EmptyState, PageHeader, SkeletonRows, UntrustedBadge } from "../ui/Feedback";
import { SelectField } from "../ui/Field";
import { AgentsTabs } from "./AgentsTabs";
import { actionChoices, isUntrusted, logQuery, OUTCOME_TONE, OUTCOMES, type Interaction } from "./interactionFilter";
import { RecordLink } from "./RecordLink";

const PAGE_SIZE = 100;

function ChainCheck() {
  const verify = useQuery({
    queryKey: ["interactions", "verify"],
    queryFn: () => unwrap(api.GET("/api/admin/interactions/verify")),
    enabled: false,
    retry: false,
    gcTime: 0,
  });
  return (
    <div className="stack">
      <div className="row">
        <Button onClick={() => void verify.refetch()} disabled={verify.isFetching}>
          {verify.isFetching ? "Checking the chain…" : "Verify the hash chain"}
        </Button>
        <span className="muted">Recomputes every row's hash: an edited or deleted row breaks the chain.</span>
      </div>
      <div role="status" aria-live="polite">
        {verify.isError && (
          <div className="callout callout--bad">
            <div className="callout__title">Could not check</div>
            {problemText(verify.error)}
          </div>
        )}
        {verify.data &&
          !verify.isFetching &&
          (verify.data.ok ? (
            <div className="callout callout--ok">
              <div className="callout__title">✓ The chain is intact</div>
              {formatNumber(verify.data.rows_checked)} rows checked; every hash matches the row before it.
            </div>
          ) : (
            <div className="callout callout--bad">
              <div className="callout__title">✗ The chain is broken</div>
              First row that does not match: #{verify.data.first_broken_seq ?? "?"}
              {verify.data.reason && ` — ${verify.data.reason}`}. {formatNumber(verify.data.rows_checked)} rows checked.
            </div>
          ))}
      </div>
    </div>
  );
}

function Targets({ row }: { row: Interaction }) {
  const shown = row.targets.slice(0, 3);
  const more = row.targets.length - shown.length;
  if (row.targets.length === 0) return <span className="muted">—</span>;
  return (
    <span className="row">
      {shown.map((target) => (
        <RecordLink key={`${target.type}-${target.id}`} type={target.type} id={target.id} />
      ))}
      {more > 0 && <span className="muted">+{more}</span>}
    </span>
  );
}

function RowDetail({ row, onSession }: { row: Interaction; onSession: (session: string) => void }) {
  return (
    <dl className="kv">
      <dt>Summary</dt>
      <dd>{row.summary || "—"}</dd>
      <dt>Channel</dt>
      <dd>{row.channel}</dd>
      <dt>MCP session</dt>
      <dd>
        {row.session_id ? (
          <Button small variant="ghost" onClick={() => onSession(row.session_id ?? "")}>
            <span className="mono">{row.session_id}</span> — show this session's calls
          </Button>
        ) : (
          "—"
        )}
      </dd>
      <dt>Targets</dt>
      <dd>
        {row.targets.length === 0 ? (
          "—"
        ) : (
          <span className="row">
            {row.targets.map((target) => (
              <RecordLink key={`${target.type}-${target.id}`} type={target.type} id={target.id} />
            ))}
          </span>
        )}
      </dd>
      <dt>Flags</dt>
      <dd>{row.flags.length ? row.flags.join(", ") : "—"}</dd>
      <dt>Arguments' SHA-256</dt>
      <dd className="mono">{row.payload_digest ?? "—"}</dd>
      <dt>Request</dt>
      <dd className="mono">{row.request_id ?? "—"}</dd>
      <dt>Hash</dt>
      <dd className="mono">{row.hash}</dd>
      <dt>Previous hash</dt>
      <dd className="mono">{row.prev_hash}</dd>
    </dl>
  );
}

export default function InteractionLog() {
  const user = useUser();
  const admin = isAdmin(user);
  const { values, set, replaceAll } = useListParams({
    actor: "",
    entity_type: "",
    entity_id: "",
    action: "",
    outcome: "",
    session: "",
  });
  const [open, setOpen] = useState<number | null>(null);

  const users = useUsers();
  const keys = useQuery({
    queryKey: ["api-keys", admin ? "all" : "mine"],
    queryFn: () => (admin ? unwrap(api.GET("/api/admin/api-keys")) : unwrap(api.GET("/api/api-keys"))),
  });

  const server = logQuery(values);
  const log = useInfiniteQuery({
    queryKey: ["interactions", server],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET("/api/interactions", { params: { query: { ...server, cursor: pageParam, limit: PAGE_SIZE } } })),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => last.next_cursor,
  });

  const rows = useMemo(() => log.data?.pages.flatMap((page) => page.items) ?? [], [log.data]);
  const choices = actionChoices(rows.map((row) => row.action));
  if (values.action && !choices.includes(values.action)) choices.unshift(values.action);

  const actorOptions = [
    { value: "", label: "Anyone" },
    ...(keys.data ?? []).map((key) => ({ value: key.id, label: `Key: ${key.name} (${key.prefix})` })),
    ...(users.data ?? []).map((u) => ({ value: u.id, label: `Person: ${u.display_name}` })),
  ];
  if (values.actor && !actorOptions.some((option) => option.value === values.actor)) {
    actorOptions.push({ value: values.actor, label: values.actor });
  }

  return (
    <div className="page ops-page">
      <PageHeader
        title="Agents"
        subtitle="Every agent call and human touch, in order. Rows can be added, never changed: each one's hash covers the one before."
      />
      <AgentsTabs />
      {admin && <ChainCheck />}
      <div className="filters" role="search" aria-label="Filter the log">
        <SelectField label="Who (key or person)" value={values.actor} options={actorOptions} onChange={(e) => set({ actor: e.target.value })} />
        <SelectField
          label="Record type"
          value={values.entity_type}
          options={[
            { value: "", label: "Any" },
            ...["contact", "organization", "opportunity", "communication", "follow_up", "proposal", "api_key", "user", "entity"].map(
              (type) => ({ value: type, label: type.replace(/_/g, " ") }),
            ),
          ]}
          onChange={(e) => set({ entity_type: e.target.value })}
        />
        <SearchField label="Record id" value={values.entity_id} onChange={(entity_id) => set({ entity_id })} placeholder="Any record" />
        <SelectField
          label="Tool or action"
          value={values.action}
          options={[{ value: "", label: "Any" }, ...choices.map((choice) => ({ value: choice, label: choice.endsWith(".") ? `${choice}*` : choice }))]}
          onChange={(e) => set({ action: e.target.value })}
        />
        <SelectField
          label="Outcome"
          value={values.outcome}
          options={[{ value: "", label: "Any" }, ...OUTCOMES.map((o) => ({ value: o, label: o.replace("_", " ") }))]}
          onChange={(e) => set({ outcome: e.target.value })}
        />
        <SearchField label="MCP session" value={values.session} onChange={(session) => set({ session })} placeholder="Any session" />
        <SavedViews list="interactions" params={values} onApply={replaceAll} />
      </div>
      {log.isPending ? (
        <SkeletonRows rows={8} />
      ) : log.isError ? (
        <ErrorState error={log.error} onRetry={() => void log.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState title="No entries match">
          <p>Agents' tool calls appear here as they happen. Clear a filter, or give an agent a key on the API keys tab.</p>
        </EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Interaction log, newest first</caption>
              <thead>
                <tr>
                  <th scope="col" className="num">
                    #
                  </th>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Records</th>
                  <th scope="col" className="num">
                    ms
                  </th>
                  <th scope="col">
                    <span className="visually-hidden">Details</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <Fragment key={row.seq}>
                    <tr>
                      <td className="num">{row.seq}</td>
                      <td>
                        <time dateTime={row.at} title={formatDateTime(row.at)}>
                          {formatRelative(row.at)}
                        </time>
                      </td>
                      <td>
                        {row.actor_name ?? row.actor_id} <span className="muted">({row.actor_kind})</span>
                      </td>
                      <td>
                        <span className="row">
                          <span className="mono">{row.action}</span>
                          {isUntrusted(row) && <UntrustedBadge />}
                        </span>
                      </td>
                      <td>
                        <Badge tone={OUTCOME_TONE[row.outcome] ?? "neutral"}>{row.outcome.replace("_", " ")}</Badge>
                      </td>
                      <td>
                        <Targets row={row} />
                      </td>
                      <td className="num">{row.duration_ms === null ? "—" : formatNumber(row.duration_ms)}</td>
                      <td>
                        <button
                          type="button"
                          className="expander"
                          aria-expanded={open === row.seq}
                          aria-label={`${open === row.seq ? "Hide" : "Show"} details of entry ${row.seq}`}
                          onClick={() => setOpen(open === row.seq ? null : row.seq)}
                        >
                          {open === row.seq ? "Hide" : "Details"}
                        </button>
                      </td>
                    </tr>
                    {open === row.seq && (
                      <tr className="detail-row">
                        <td colSpan={8}>
                          <RowDetail row={row} onSession={(session) => set({ session })} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
          <div className="pager">
            <span className="muted">{formatNumber(rows.length)} shown</span>
            {log.hasNextPage ? (
              <Button onClick={() => void log.fetchNextPage()} disabled={log.isFetchingNextPage}>
                {log.isFetchingNextPage ? "Loading…" : "Load older entries"}
              </Button>
            ) : (
              <span className="muted">The beginning of the log</span>
            )}
          </div>
        </>
      )}
    </div>
  );
}
