/**
 * Entity review: the resolver's queue of pairs that may be one investor, side by side with why
 * they scored as they did; merge, keep apart, split, undo; and the history of decisions.
 */
import "../admin/ui/admin.css";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useSearchParams } from "react-router";

import { api, unwrap } from "../api/client";
import type { components } from "../api/schema";
import { RecordLink } from "../agents/RecordLink";
import { ConfirmDialog } from "../admin/ui/ConfirmDialog";
import { useListParams } from "../admin/ui/listState";
import { PickList } from "../admin/ui/PickList";
import { SavedViews } from "../views/SavedViews";
import { Segmented } from "../admin/ui/Segmented";
import { ErrorState, problemText } from "../admin/ui/States";
import { formatDateTime, formatNumber, formatRelative } from "../lib/format";
import { Button } from "../ui/Button";
import { Badge, EmptyState, PageHeader, SkeletonRows } from "../ui/Feedback";
import { TextArea } from "../ui/Field";
import { useToast } from "../ui/toast";
import {
  canSplit,
  DECISION_LABEL,
  decidedBy,
  featureLabel,
  levelLabel,
  percent,
  signedWeight,
  sourceKey,
  strongestFeatures,
  VERDICT_LABEL,
  type Decision,
  type EntityState,
  type ReviewItem,
  type SourceRef,
} from "./labels";

type DecisionResult = components["schemas"]["DecisionResult"];

const STATUS_OPTIONS = [
  { value: "open", label: "Open" },
  { value: "accepted", label: "Merged" },
  { value: "rejected", label: "Kept apart" },
  { value: "superseded", label: "Superseded" },
] as const;
type ReviewStatus = (typeof STATUS_OPTIONS)[number]["value"];

const PAGE_SIZE = 20;

function isStatus(value: string): value is ReviewStatus {
  return STATUS_OPTIONS.some((option) => option.value === value);
}

/** After any decision: the toast offers Undo, which calls the resolver's undo. */
function useDecisionDone() {
  const queryClient = useQueryClient();
  const toast = useToast();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["resolver"] });
  const undo = useMutation({
    mutationFn: (decisionId: string) =>
      unwrap(
        api.POST("/api/resolver/decisions/{decision_id}/undo", {
          params: { path: { decision_id: decisionId } },
          body: { reason: "undone from the review screen" },
        }),
      ),
    onSuccess: () => {
      toast.show("Undone: the records are back where they were");
      void refresh();
    },
    onError: (error) => toast.show(`Could not undo: ${problemText(error)}`, { tone: "error" }),
  });
  return {
    undo,
    done: (result: DecisionResult, message: string) => {
      void refresh();
      toast.show(message, { action: { label: "Undo", run: () => undo.mutate(result.decision.id) }, ms: 10_000 });
    },
  };
}

function EntitySide({ entity, heading }: { entity: EntityState; heading: string }) {
  return (
    <section className="card compare__side" aria-label={heading}>
      <div className="row">
        <h3>{entity.display_name}</h3>
        <Badge>{entity.kind}</Badge>
        {entity.is_lp && <Badge tone="accent">LP</Badge>}
        {entity.status !== "active" && <Badge tone="warning">{entity.status}</Badge>}
      </div>
      <dl className="kv">
        <dt>Emails</dt>
        <dd>{entity.emails?.length ? entity.emails.join(", ") : "—"}</dd>
        <dt>Domains</dt>
        <dd>{entity.domains?.length ? entity.domains.join(", ") : "—"}</dd>
        <dt>Entity</dt>
        <dd className="mono" title={entity.id}>
          {entity.id}
        </dd>
        <dt>Updated</dt>
        <dd>{formatRelative(entity.updated_at)}</dd>
      </dl>
      <div className="detail__section">
        <h4 className="muted">Records ({formatNumber(entity.links?.length ?? 0)})</h4>
        <ul className="list">
          {(entity.links ?? []).map((link) => (
            <li key={`${link.source_kind}-${link.source_id}`} className="list__item">
              <RecordLink type={link.source_kind} id={link.source_id} />
              <span className="muted">
                {link.match_kind.replace("_", " ")} · {percent(link.confidence)}
              </span>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}

function ScoreExplanation({ item }: { item: ReviewItem }) {
  const pair = item.best_pair;
  const features = strongestFeatures(pair.features);
  return (
    <section className="detail__section" aria-labelledby="score-title">
      <h3 id="score-title">Why they may be one</h3>
      <div className="score">
        <span className="score__value">{percent(pair.probability)}</span>
        <span
          className="score__bar"
          role="meter"
          aria-label="Match probability"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(pair.probability * 100)}
        >
          <span className="score__fill" style={{ width: percent(pair.probability) }} />
        </span>
        <span className="muted">
          {VERDICT_LABEL[pair.verdict]} · weight {signedWeight(pair.match_weight)} bits
        </span>
      </div>
      <p className="muted">
        Compared: <RecordLink type={pair.left.source_kind} id={pair.left.source_id} /> and{" "}
        <RecordLink type={pair.right.source_kind} id={pair.right.source_id} />. Each line adds evidence for (+) or against (−) one
        investor.
      </p>
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">The comparison, strongest evidence first</caption>
          <thead>
            <tr>
              <th scope="col">Compared</th>
              <th scope="col">Left</th>
              <th scope="col">Right</th>
              <th scope="col">Found</th>
              <th scope="col" className="num">
                Weight
              </th>
            </tr>
          </thead>
          <tbody>
            {features.map((feature) => (
              <tr key={feature.feature}>
                <th scope="row">{featureLabel(feature.feature)}</th>
                <td className="wrap">{feature.left ?? "—"}</td>
                <td className="wrap">{feature.right ?? "—"}</td>
                <td>{levelLabel(feature.level)}</td>
                <td className={`num ${feature.weight > 0 ? "weight--pos" : feature.weight < 0 ? "weight--neg" : ""}`}>
                  {signedWeight(feature.weight)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function RulesExplanation({ item }: { item: ReviewItem }) {
  const explain = useQuery({
    queryKey: ["resolver", "explain", item.left.id, item.right.id],
    queryFn: () =>
      unwrap(api.POST("/api/resolver/explain", { body: { left: { entity_id: item.left.id }, right: { entity_id: item.right.id }, max_pairs: 20 } })),
    enabled: false,
  });
  return (
    <section className="detail__section" aria-labelledby="rules-title">
      <div className="row">
        <h3 id="rules-title">The resolver's rules</h3>
        <Button small onClick={() => void explain.refetch()} disabled={explain.isFetching}>
          {explain.isFetching ? "Asking…" : explain.data ? "Ask again" : "Explain in full"}
        </Button>
      </div>
      {explain.isError && <div className="form__error">{problemText(explain.error)}</div>}
      {explain.data && (
        <div className="stack" role="status">
          <p>{explain.data.summary}</p>
          <ul className="checklist">
            {explain.data.rules.map((rule) => (
              <li key={`${rule.rule}-${rule.detail}`} className="checklist__item">
                <span className={`checklist__mark ${rule.applies ? "checklist__mark--ok" : "checklist__mark--info"}`} aria-hidden="true">
                  {rule.applies ? "✓" : "–"}
                </span>
                <span>
                  <span className="checklist__title">{rule.rule.replace(/_/g, " ")}</span>
                  <span className="muted"> — {rule.detail}</span>
                </span>
                <span className="visually-hidden">{rule.applies ? "applies" : "does not apply"}</span>
              </li>
            ))}
          </ul>
          <p className="muted">
            Thresholds: linked on its own from {percent(explain.data.auto_link_threshold)}, reviewed from{" "}
            {percent(explain.data.review_threshold)}; {formatNumber(explain.data.pairs.length)} record pairs compared.
          </p>
        </div>
      )}
    </section>
  );
}

function SplitDialog({ entity, open, onClose }: { entity: EntityState; open: boolean; onClose: () => void }) {
  const { done } = useDecisionDone();
  const [chosen, setChosen] = useState<SourceRef[]>([]);
  const [reason, setReason] = useState("");
  const split = useMutation({
    mutationFn: () => unwrap(api.POST("/api/resolver/splits", { body: { entity_id: entity.id, sources: chosen, reason } })),
    onSuccess: (result) => {
      onClose();
      setChosen([]);
      done(result, `Split ${formatNumber(chosen.length)} record(s) out of ${entity.display_name}`);
    },
  });
  const keys = new Set(chosen.map(sourceKey));
  return (
    <ConfirmDialog
      open={open}
      title={`Split records out of ${entity.display_name}`}
      confirmLabel="Split"
      busy={split.isPending}
      disabled={!canSplit(entity, chosen)}
      onConfirm={() => split.mutate()}
      onClose={onClose}
    >
      <p className="muted">The records you tick become a new entity; at least one must stay. No rule joins them again.</p>
      <fieldset className="checkboxes" style={{ flexDirection: "column" }}>
        <legend>Records to move out</legend>
        {(entity.links ?? []).map((link) => {
          const ref: SourceRef = { source_kind: link.source_kind, source_id: link.source_id };
          return (
            <label key={sourceKey(ref)} className="check">
              <input
                type="checkbox"
                checked={keys.has(sourceKey(ref))}
                onChange={(event) =>
                  setChosen((current) =>
                    event.target.checked ? [...current, ref] : current.filter((c) => sourceKey(c) !== sourceKey(ref)),
                  )
                }
              />
              <span>
                {link.source_kind.replace("_", " ")} <span className="mono">{link.source_id}</span>
              </span>
            </label>
          );
        })}
      </fieldset>
      <TextArea label="Reason" value={reason} maxLength={2000} rows={2} onChange={(e) => setReason(e.target.value)} />
      {split.isError && (
        <div className="form__error" role="alert">
          {problemText(split.error)}
        </div>
      )}
    </ConfirmDialog>
  );
}

function ItemActions({ item }: { item: ReviewItem }) {
  const { done } = useDecisionDone();
  const [reason, setReason] = useState("");
  const [survivorDialog, setSurvivorDialog] = useState(false);
  const [survivor, setSurvivor] = useState(item.left.id);
  const [splitting, setSplitting] = useState<EntityState | null>(null);

  const decide = useMutation({
    mutationFn: (verdict: "accept" | "reject") =>
      unwrap(api.POST("/api/resolver/review/{item_id}/decision", { params: { path: { item_id: item.id } }, body: { verdict, reason } })),
    onSuccess: (result, verdict) =>
      done(
        result,
        verdict === "accept"
          ? `Merged ${item.left.display_name} and ${item.right.display_name}`
          : `Kept ${item.left.display_name} and ${item.right.display_name} apart`,
      ),
  });
  const merge = useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/resolver/merges", { body: { entity_ids: [item.left.id, item.right.id], survivor_id: survivor, reason } })),
    onSuccess: (result) => {
      setSurvivorDialog(false);
      done(result, `Merged into ${survivor === item.left.id ? item.left.display_name : item.right.display_name}`);
    },
  });
  const error = decide.error ?? merge.error;
  const busy = decide.isPending || merge.isPending;

  return (
    <section className="detail__section" aria-labelledby="decide-title">
      <h3 id="decide-title">Your decision</h3>
      <TextArea
        label="Reason (optional)"
        value={reason}
        rows={2}
        maxLength={2000}
        onChange={(e) => setReason(e.target.value)}
        hint="Kept with the decision in the resolver's history."
      />
      {error && (
        <div className="form__error" role="alert">
          {problemText(error)}
        </div>
      )}
      <div className="row">
        <Button variant="primary" disabled={busy} onClick={() => decide.mutate("accept")}>
          Same investor — merge
        </Button>
        <Button disabled={busy} onClick={() => decide.mutate("reject")}>
          Different — keep apart
        </Button>
        <Button variant="ghost" disabled={busy} onClick={() => setSurvivorDialog(true)}>
          Merge, choosing which stays…
        </Button>
        {[item.left, item.right]
          .filter((entity) => (entity.links?.length ?? 0) > 1)
          .map((entity) => (
            <Button key={entity.id} variant="ghost" disabled={busy} onClick={() => setSplitting(entity)}>
              Split {entity.display_name}…
            </Button>
          ))}
      </div>
      <ConfirmDialog
        open={survivorDialog}
        title="Merge: which entity stays?"
        confirmLabel="Merge"
        busy={merge.isPending}
        onConfirm={() => merge.mutate()}
        onClose={() => setSurvivorDialog(false)}
      >
        <fieldset className="checkboxes" style={{ flexDirection: "column" }}>
          <legend>The one that keeps its id (the other's records move to it)</legend>
          {[item.left, item.right].map((entity) => (
            <label key={entity.id} className="check">
              <input type="radio" name="survivor" checked={survivor === entity.id} onChange={() => setSurvivor(entity.id)} />
              <span>
                {entity.display_name} <span className="muted">({formatNumber(entity.links?.length ?? 0)} records)</span>
              </span>
            </label>
          ))}
        </fieldset>
      </ConfirmDialog>
      {splitting && <SplitDialog entity={splitting} open onClose={() => setSplitting(null)} />}
    </section>
  );
}

function ItemDetail({ item }: { item: ReviewItem }) {
  return (
    <article className="card detail" aria-labelledby="item-title">
      <header className="row">
        <h2 id="item-title">
          {item.left.display_name} <span className="muted">and</span> {item.right.display_name}
        </h2>
        <Badge tone={item.status === "open" ? "warning" : "neutral"}>{item.status}</Badge>
      </header>
      <div className="compare">
        <EntitySide entity={item.left} heading="Left entity" />
        <EntitySide entity={item.right} heading="Right entity" />
      </div>
      <ScoreExplanation item={item} />
      <RulesExplanation item={item} />
      {item.status === "open" ? (
        <ItemActions key={item.id} item={item} />
      ) : (
        <section className="detail__section" aria-labelledby="decided-title">
          <h3 id="decided-title">Decided</h3>
          <p>
            {item.decided_at ? formatDateTime(item.decided_at) : "—"} {item.decided_by && `by ${item.decided_by}`}
            {item.reason && ` — ${item.reason}`}
          </p>
        </section>
      )}
    </article>
  );
}

function Queue() {
  const { values, set, replaceAll } = useListParams({ status: "open", page: "1" });
  const [search, setSearch] = useSearchParams();
  const status = isStatus(values.status) ? values.status : "open";
  const page = Math.max(1, Number.parseInt(values.page, 10) || 1);
  const selected = search.get("item");

  const query = useQuery({
    queryKey: ["resolver", "review", { status, page }],
    queryFn: () =>
      unwrap(api.GET("/api/resolver/review", { params: { query: { status, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE } } })),
    placeholderData: keepPreviousData,
  });
  const items = query.data?.items ?? [];
  const total = query.data?.total ?? 0;
  const current = items.find((item) => item.id === selected) ?? items[0];

  return (
    <>
      <div className="filters" role="search" aria-label="Filter the queue">
        <Segmented label="Status" value={status} options={STATUS_OPTIONS} onChange={(value) => set({ status: value, page: "1" })} />
        <SavedViews list="review" params={{ status: values.status }} onApply={replaceAll} />
      </div>
      {query.isPending ? (
        <SkeletonRows rows={6} />
      ) : query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title={status === "open" ? "The queue is empty" : "Nothing here"}>
          <p>
            {status === "open"
              ? "When the resolver finds two records that may be one investor but is not sure, the pair waits here for you."
              : "Pick another status to see other pairs."}
          </p>
        </EmptyState>
      ) : (
        <div className="master-detail">
          <div className="stack">
            <PickList
              label="Pairs to review"
              items={items}
              getKey={(item) => item.id}
              selectedKey={current?.id ?? null}
              onSelect={(item) =>
                setSearch(
                  (previous) => {
                    const next = new URLSearchParams(previous);
                    next.set("item", item.id);
                    return next;
                  },
                  { replace: true },
                )
              }
              render={(item) => (
                <>
                  <span className="pick-list__title">
                    {item.left.display_name} ↔ {item.right.display_name}
                  </span>
                  <span className="pick-list__meta">
                    {percent(item.best_pair.probability)} likely · {item.left.kind} · {formatRelative(item.created_at)}
                  </span>
                </>
              )}
            />
            <nav className="pager" aria-label="Queue pages">
              <span className="muted">
                {formatNumber((page - 1) * PAGE_SIZE + 1)}–{formatNumber((page - 1) * PAGE_SIZE + items.length)} of {formatNumber(total)}
              </span>
              <div className="row">
                <Button small disabled={page <= 1} onClick={() => set({ page: String(page - 1) })}>
                  ← Previous
                </Button>
                <Button small disabled={page * PAGE_SIZE >= total} onClick={() => set({ page: String(page + 1) })}>
                  Next →
                </Button>
              </div>
            </nav>
          </div>
          {current && <ItemDetail key={current.id} item={current} />}
        </div>
      )}
    </>
  );
}

function UndoButton({ decision }: { decision: Decision }) {
  const { undo } = useDecisionDone();
  const [open, setOpen] = useState(false);
  if (decision.kind === "undo" || decision.undone_by) return null;
  return (
    <>
      <Button small onClick={() => setOpen(true)}>
        Undo
      </Button>
      <ConfirmDialog
        open={open}
        title={`Undo: ${DECISION_LABEL[decision.kind].toLowerCase()}?`}
        confirmLabel="Undo decision"
        busy={undo.isPending}
        onConfirm={() => undo.mutate(decision.id, { onSettled: () => setOpen(false) })}
        onClose={() => setOpen(false)}
      >
        <p>
          Every record it moved ({formatNumber(decision.moves.length)}) goes back where it was. An undone merge keeps the two apart from then
          on.
        </p>
      </ConfirmDialog>
    </>
  );
}

function History() {
  const { values, set } = useListParams({ hpage: "1" });
  const page = Math.max(1, Number.parseInt(values.hpage, 10) || 1);
  const query = useQuery({
    queryKey: ["resolver", "decisions", { page }],
    queryFn: () => unwrap(api.GET("/api/resolver/decisions", { params: { query: { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE } } })),
    placeholderData: keepPreviousData,
  });
  if (query.isPending) return <SkeletonRows rows={6} />;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  const { items, total } = query.data;
  if (items.length === 0) {
    return (
      <EmptyState title="No decisions yet">
        <p>Merges, splits and pairs kept apart, by people and by the resolver's rules, are listed here and can be undone.</p>
      </EmptyState>
    );
  }
  return (
    <>
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">Decisions, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Decision</th>
              <th scope="col">By</th>
              <th scope="col">Reason</th>
              <th scope="col" className="num">
                Records moved
              </th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((decision) => (
              <tr key={decision.id}>
                <td title={formatDateTime(decision.created_at)}>{formatRelative(decision.created_at)}</td>
                <td>
                  <span className="row">
                    {DECISION_LABEL[decision.kind]}
                    {decision.undone_by && <Badge>undone</Badge>}
                  </span>
                </td>
                <td>{decidedBy(decision)}</td>
                <td className="wrap">{decision.reason || "—"}</td>
                <td className="num">{formatNumber(decision.moves.length)}</td>
                <td className="actions">
                  <UndoButton decision={decision} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav className="pager" aria-label="History pages">
        <span className="muted">
          Page {formatNumber(page)} · {formatNumber(total)} decisions
        </span>
        <div className="row">
          <Button small disabled={page <= 1} onClick={() => set({ hpage: String(page - 1) })}>
            ← Newer
          </Button>
          <Button small disabled={page * PAGE_SIZE >= total} onClick={() => set({ hpage: String(page + 1) })}>
            Older →
          </Button>
        </div>
      </nav>
    </>
  );
}

export default function Review() {
  const [search, setSearch] = useSearchParams();
  const tab = search.get("tab") === "history" ? "history" : "queue";
  return (
    <div className="page ops-page">
      <PageHeader
        title="Entity review"
        subtitle="Pairs the resolver thinks may be one investor. Merge them, keep them apart or split a record out; every decision can be undone."
      />
      <Segmented
        label="View"
        value={tab}
        options={[
          { value: "queue", label: "Review queue" },
          { value: "history", label: "Decision history" },
        ]}
        onChange={(value) => setSearch(value === "history" ? { tab: "history" } : {}, { replace: true })}
      />
      {tab === "queue" ? <Queue /> : <History />}
    </div>
  );
}
