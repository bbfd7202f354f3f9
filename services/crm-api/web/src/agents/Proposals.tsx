/**
 * The proposals inbox: writes agents asked for that wait for a person. One view per proposal
 * shows what it would change (before/after), the evidence the agent cited, why it was held and
 * the agent's reason, and takes the decision with a note.
 */
import "../admin/ui/admin.css";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useSearchParams } from "react-router";

import { api, unwrap } from "../api/client";
import { ApiError } from "../api/problem";
import { DiffTable } from "../admin/ui/DiffTable";
import { diffRecords, displayValue, fieldLabel } from "../admin/ui/diff";
import { useCursorPages, useListParams } from "../admin/ui/listState";
import { Pager } from "../admin/ui/Pager";
import { PickList } from "../admin/ui/PickList";
import { SavedViews } from "../views/SavedViews";
import { SearchField } from "../admin/ui/SearchField";
import { Segmented } from "../admin/ui/Segmented";
import { ErrorState, problemText } from "../admin/ui/States";
import { formatDateTime, formatRelative } from "../lib/format";
import { Button } from "../ui/Button";
import { Badge, EmptyState, PageHeader, SkeletonRows, UntrustedBadge } from "../ui/Feedback";
import { SelectField, TextArea } from "../ui/Field";
import { useToast } from "../ui/toast";
import { AgentsTabs } from "./AgentsTabs";
import { ACTION_LABEL, STATUS_TONE, WHY_LABEL, typeLabel, type Proposal, type RecordChange } from "./labels";
import { RecordLink } from "./RecordLink";

const STATUS_OPTIONS = [
  { value: "pending", label: "Waiting" },
  { value: "approved", label: "Approved" },
  { value: "rejected", label: "Rejected" },
  { value: "all", label: "All" },
] as const;

const SORT_OPTIONS = [
  { value: "-created_at", label: "Newest first" },
  { value: "created_at", label: "Oldest first" },
  { value: "-updated_at", label: "Recently decided" },
] as const;

type Sort = (typeof SORT_OPTIONS)[number]["value"];
type StatusFilter = (typeof STATUS_OPTIONS)[number]["value"];

const PAGE_SIZE = 25;

function isSort(value: string): value is Sort {
  return SORT_OPTIONS.some((option) => option.value === value);
}

function isStatus(value: string): value is StatusFilter {
  return STATUS_OPTIONS.some((option) => option.value === value);
}

/** What one change would do, as a heading and a field diff. */
function ChangeView({ change, showAll }: { change: RecordChange; showAll: boolean }) {
  const rows = diffRecords(change.before, change.after, { hideNoise: !showAll, onlyChanged: !showAll && change.op === "update" });
  return (
    <div className="stack">
      <div className="row">
        <Badge tone={change.op === "create" ? "success" : "accent"}>{change.op === "create" ? "new" : "update"}</Badge>
        <RecordLink type={change.type} id={change.id} />
      </div>
      <DiffTable
        rows={rows}
        caption={`${change.op === "create" ? "New" : "Changed"} ${typeLabel(change.type)}: before and after`}
        showBefore={change.op === "update"}
      />
    </div>
  );
}

function ParamsList({ params }: { params: Record<string, unknown> }) {
  const entries = Object.entries(params);
  if (entries.length === 0) return <p className="muted">No parameters.</p>;
  return (
    <dl className="kv">
      {entries.map(([key, value]) => (
        <div key={key} style={{ display: "contents" }}>
          <dt>{fieldLabel(key)}</dt>
          <dd>{displayValue(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

function Decide({ proposal }: { proposal: Proposal }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const decide = useMutation({
    mutationFn: (verdict: "approve" | "reject") => {
      const options = {
        params: { path: { proposal_id: proposal.id }, header: { "If-Match": `"${proposal.version}"` } },
        body: { note: note.trim() || null },
      };
      return verdict === "approve"
        ? unwrap(api.POST("/api/proposals/{proposal_id}/approve", options))
        : unwrap(api.POST("/api/proposals/{proposal_id}/reject", options));
    },
    onSuccess: (decided) => {
      setError(null);
      setNote("");
      toast.show(decided.status === "approved" ? `Approved: ${ACTION_LABEL[decided.action]} applied` : "Rejected: nothing changed");
      queryClient.setQueryData(["proposals", "one", decided.id], decided);
      void queryClient.invalidateQueries({ queryKey: ["proposals"] });
    },
    onError: (failure) => {
      if (failure instanceof ApiError && failure.status === 409) {
        void queryClient.invalidateQueries({ queryKey: ["proposals"] });
      }
      setError(problemText(failure));
    },
  });

  return (
    <form
      className="stack"
      onSubmit={(event) => {
        event.preventDefault();
      }}
    >
      <TextArea
        label="Note for the record (optional)"
        value={note}
        maxLength={2000}
        rows={2}
        onChange={(event) => setNote(event.target.value)}
        hint="Saved with your decision and on the interaction log."
      />
      {error && (
        <div className="form__error" role="alert">
          {error}
        </div>
      )}
      <div className="form__actions">
        <Button variant="danger" disabled={decide.isPending} onClick={() => decide.mutate("reject")}>
          Reject
        </Button>
        <Button variant="primary" disabled={decide.isPending} onClick={() => decide.mutate("approve")}>
          {decide.isPending ? "Working…" : "Approve and apply"}
        </Button>
      </div>
    </form>
  );
}

function ProposalDetail({ id, fallback }: { id: string; fallback: Proposal | undefined }) {
  const [showAll, setShowAll] = useState(false);
  const query = useQuery({
    queryKey: ["proposals", "one", id],
    queryFn: () => unwrap(api.GET("/api/proposals/{proposal_id}", { params: { path: { proposal_id: id } } })),
    placeholderData: fallback,
  });
  if (query.isPending) return <SkeletonRows rows={8} />;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  const proposal = query.data;
  const changes = proposal.status === "approved" && proposal.result ? proposal.result.changes : proposal.preview;

  return (
    <article className="card detail" aria-labelledby="proposal-title">
      <header className="stack">
        <div className="row">
          <h2 id="proposal-title">{ACTION_LABEL[proposal.action]}</h2>
          <Badge tone={STATUS_TONE[proposal.status]}>{proposal.status}</Badge>
          {proposal.untrusted && <UntrustedBadge />}
        </div>
        <div className="muted">
          Proposed by {proposal.proposed_by_name ?? proposal.proposed_by_id} ({proposal.proposed_by_kind}){" "}
          <time dateTime={proposal.created_at} title={formatDateTime(proposal.created_at)}>
            {formatRelative(proposal.created_at)}
          </time>
          {proposal.target_type && proposal.target_id && (
            <>
              {" "}
              · on <RecordLink type={proposal.target_type} id={proposal.target_id} />
            </>
          )}
        </div>
      </header>

      <section className="detail__section" aria-labelledby="why-title">
        <h3 id="why-title">Why it waits for you</h3>
        <p>{WHY_LABEL[proposal.why].long}</p>
        {proposal.reason && (
          <>
            <div className="row">
              <span className="muted">The agent's reason</span>
              {proposal.untrusted && <UntrustedBadge />}
            </div>
            <blockquote className="quote">{proposal.reason}</blockquote>
          </>
        )}
      </section>

      <section className="detail__section" aria-labelledby="changes-title">
        <div className="row" style={{ justifyContent: "space-between" }}>
          <h3 id="changes-title">{proposal.status === "approved" ? "What it changed" : "What it would change"}</h3>
          <label className="check">
            <input type="checkbox" checked={showAll} onChange={(event) => setShowAll(event.target.checked)} />
            Show every field
          </label>
        </div>
        {changes.length === 0 ? (
          <p className="muted">No preview was recorded.</p>
        ) : (
          changes.map((change) => <ChangeView key={`${change.type}-${change.id}`} change={change} showAll={showAll} />)
        )}
      </section>

      <section className="detail__section" aria-labelledby="evidence-title">
        <h3 id="evidence-title">Evidence the agent cited</h3>
        {proposal.evidence.length === 0 ? (
          <p className="muted">None cited.</p>
        ) : (
          <ul className="list">
            {proposal.evidence.map((item) => (
              <li key={`${item.type}-${item.id}`} className="list__item">
                <RecordLink type={item.type} id={item.id} />
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="detail__section" aria-labelledby="params-title">
        <div className="row">
          <h3 id="params-title">As the agent sent it</h3>
          {proposal.untrusted && <UntrustedBadge />}
        </div>
        <ParamsList params={proposal.params} />
        <dl className="kv">
          {proposal.api_key_id && (
            <>
              <dt>API key</dt>
              <dd>
                <Link to={`/agents/log?actor=${encodeURIComponent(proposal.api_key_id)}`}>
                  <span className="mono">{proposal.api_key_id}</span> — see its calls
                </Link>
              </dd>
            </>
          )}
          {proposal.session_id && (
            <>
              <dt>MCP session</dt>
              <dd className="mono">{proposal.session_id}</dd>
            </>
          )}
        </dl>
      </section>

      <section className="detail__section" aria-labelledby="decision-title">
        <h3 id="decision-title">Decision</h3>
        {proposal.status === "pending" ? (
          <Decide key={proposal.id} proposal={proposal} />
        ) : (
          <dl className="kv">
            <dt>Decided</dt>
            <dd>
              {proposal.status} {proposal.decided_at && formatDateTime(proposal.decided_at)}
            </dd>
            <dt>By</dt>
            <dd className="mono">{proposal.decided_by ?? "—"}</dd>
            <dt>Note</dt>
            <dd>{proposal.decision_note ?? "—"}</dd>
          </dl>
        )}
      </section>
    </article>
  );
}

function ProposalSummary({ proposal }: { proposal: Proposal }) {
  return (
    <>
      <span className="pick-list__title">
        {ACTION_LABEL[proposal.action]}
        <Badge tone={STATUS_TONE[proposal.status]}>{proposal.status}</Badge>
        {proposal.untrusted && <UntrustedBadge />}
      </span>
      <span className="pick-list__meta">
        {proposal.proposed_by_name ?? proposal.proposed_by_kind} · {WHY_LABEL[proposal.why].short} ·{" "}
        {formatRelative(proposal.created_at)}
      </span>
    </>
  );
}

export default function Proposals() {
  const { values, set, replaceAll } = useListParams({ status: "pending", q: "", sort: "-created_at" });
  const [search, setSearch] = useSearchParams();
  const selected = search.get("p");
  const status = isStatus(values.status) ? values.status : "pending";
  const sort = isSort(values.sort) ? values.sort : "-created_at";
  const filterKey = JSON.stringify(values);
  const pages = useCursorPages<string>(filterKey);

  const query = useQuery({
    queryKey: ["proposals", { status, q: values.q, sort, cursor: pages.cursor }],
    queryFn: () =>
      unwrap(
        api.GET("/api/proposals", {
          params: {
            query: {
              status: status === "all" ? null : status,
              q: values.q || null,
              sort,
              cursor: pages.cursor,
              limit: PAGE_SIZE,
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });

  const items = query.data?.items ?? [];
  const selectedItem = items.find((item) => item.id === selected);
  const select = (item: Proposal) =>
    setSearch(
      (previous) => {
        const next = new URLSearchParams(previous);
        next.set("p", item.id);
        return next;
      },
      { replace: true },
    );

  return (
    <div className="page ops-page">
      <PageHeader
        title="Agents"
        subtitle="What agents asked to change. Approve to apply it as you, or reject it; nothing changes until you decide."
      />
      <AgentsTabs />
      <div className="filters" role="search" aria-label="Filter proposals">
        <Segmented label="Status" value={status} options={STATUS_OPTIONS} onChange={(value) => set({ status: value })} />
        <SearchField label="Search" value={values.q} onChange={(q) => set({ q })} placeholder="Reason, proposer, action…" />
        <SelectField
          label="Sort"
          value={sort}
          options={SORT_OPTIONS}
          onChange={(event) => set({ sort: event.target.value })}
        />
        <SavedViews list="proposals" params={values} onApply={replaceAll} />
      </div>

      {query.isPending ? (
        <SkeletonRows rows={6} />
      ) : query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title={status === "pending" ? "Nothing waits for you" : "No proposals here"}>
          {status === "pending" ? (
            <p>
              When an agent moves a stage or an amount, or writes after reading outside text, its change waits here.{" "}
              <Link to="/agents/keys">Manage agents' API keys</Link>.
            </p>
          ) : (
            <p>Try another status or clear the search.</p>
          )}
        </EmptyState>
      ) : (
        <div className="master-detail">
          <div className="stack">
            <PickList
              label="Proposals"
              items={items}
              getKey={(item) => item.id}
              selectedKey={selected}
              onSelect={select}
              render={(item) => <ProposalSummary proposal={item} />}
            />
            <Pager
              page={pages.page}
              hasPrev={pages.hasPrev}
              nextCursor={query.data.next_cursor}
              total={query.data.total}
              shown={items.length}
              onPrev={pages.prev}
              onNext={pages.next}
            />
          </div>
          {selected ? (
            <ProposalDetail id={selected} fallback={selectedItem} />
          ) : (
            <div className="card">
              <EmptyState title="Pick a proposal">
                <p>Choose one on the left (arrow keys move through the list) to see its changes and decide.</p>
              </EmptyState>
            </div>
          )}
        </div>
      )}
    </div>
  );
}
