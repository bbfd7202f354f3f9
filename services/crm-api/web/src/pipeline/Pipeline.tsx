/**
 * The pipeline of one fund as a kanban: a column per stage with its totals, a card per
 * opportunity. A card moves by dragging (pointer, or the keyboard: Space, arrows, Space) through
 * PATCH /api/opportunities/{id}/stage; the move shows at once and snaps back, with the API's
 * reason, when it is refused.
 */
import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  PointerSensor,
  pointerWithin,
  rectIntersection,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
  type Announcements,
  type CollisionDetection,
  type DragEndEvent,
  type DragStartEvent,
  type KeyboardCoordinateGetter,
} from "@dnd-kit/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useMemo, useRef, useState, type SyntheticEvent } from "react";
import { useSearchParams } from "react-router";

import { api, unwrap } from "../api/client";
import { useRecordNames } from "../api/names";
import { ApiError } from "../api/problem";
import { useUsers } from "../api/users";
import { formatCompactMoney, formatMoney } from "../lib/format";
import { Button } from "../ui/Button";
import { Dialog } from "../ui/Dialog";
import { EmptyState, PageHeader, SkeletonRows } from "../ui/Feedback";
import { SelectField, TextArea } from "../ui/Field";
import { useToast } from "../ui/toast";
import { adjustReport, groupByStage, moveCard, neighbourColumn, type Opportunity, type PipelineReport, type PipelineStage } from "./board";
import "./pipeline.css";

const LOST = "closed_lost";

async function allOpportunities(fundId: string): Promise<Opportunity[]> {
  const items: Opportunity[] = [];
  let cursor: string | undefined;
  do {
    const page = await unwrap(api.GET("/api/opportunities", { params: { query: { fund_id: fundId, limit: 500, cursor } } }));
    items.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return items;
}

function investorId(opportunity: Opportunity): string {
  return opportunity.investor_organization_id ?? opportunity.investor_contact_id ?? "";
}

function cardAmount(opportunity: Opportunity): { label: string; value: string } {
  if (opportunity.committed_amount !== null) return { label: "committed", value: formatMoney(opportunity.committed_amount, opportunity.currency) };
  if (opportunity.expected_amount !== null) return { label: "expected", value: formatMoney(opportunity.expected_amount, opportunity.currency) };
  return { label: "", value: "No amount yet" };
}

/**
 * Arrow keys move a dragged card from column to column (the default moves it 25 px). The column
 * the card is in is tracked here, as each key press moves it (what dnd-kit reports as "over"
 * lags a render behind fast key presses).
 */
function columnStep(
  current: { current: string | null },
  ...[event, { context, currentCoordinates }]: Parameters<KeyboardCoordinateGetter>
): ReturnType<KeyboardCoordinateGetter> {
  if (event.code !== "ArrowRight" && event.code !== "ArrowLeft") {
    if (event.code === "ArrowUp" || event.code === "ArrowDown") event.preventDefault();
    return currentCoordinates;
  }
  event.preventDefault();
  const dragged = context.collisionRect;
  if (!dragged) return currentCoordinates;
  const columns = [...context.droppableRects.entries()].map(([id, rect]) => ({ id: String(id), left: rect.left, rect }));
  const centre = currentCoordinates.x + dragged.width / 2;
  const here = current.current ?? columns.find((c) => centre >= c.rect.left && centre <= c.rect.left + c.rect.width)?.id ?? null;
  const target = neighbourColumn(columns, here, event.code === "ArrowRight" ? 1 : -1);
  const rect = columns.find((column) => column.id === target)?.rect;
  if (!target || !rect) return currentCoordinates;
  current.current = target;
  return { x: rect.left + (rect.width - dragged.width) / 2, y: Math.max(rect.top + 48, currentCoordinates.y) };
}

const collisions: CollisionDetection = (args) => {
  const within = pointerWithin(args);
  return within.length > 0 ? within : rectIntersection(args);
};

function Card({ opportunity, name, owner, dragging }: { opportunity: Opportunity; name: string; owner: string | null; dragging?: boolean }) {
  const amount = cardAmount(opportunity);
  return (
    <div className={dragging ? "kanban-card kanban-card--overlay" : "kanban-card"}>
      <div className="kanban-card__name">{name}</div>
      <div className="kanban-card__amount num">
        {amount.value} {amount.label && <span className="muted">{amount.label}</span>}
      </div>
      <div className="kanban-card__meta muted">{owner ?? "No owner"}</div>
    </div>
  );
}

function DraggableCard({ opportunity, name, owner, pending }: { opportunity: Opportunity; name: string; owner: string | null; pending: boolean }) {
  const { attributes, listeners, setNodeRef, isDragging } = useDraggable({ id: opportunity.id, data: { stage: opportunity.stage } });
  return (
    <li className="kanban-slot">
      <div
        ref={setNodeRef}
        className={`kanban-item${isDragging ? " kanban-item--dragging" : ""}${pending ? " kanban-item--pending" : ""}`}
        data-testid="kanban-card"
        data-opportunity-id={opportunity.id}
        {...attributes}
        {...listeners}
        aria-roledescription="draggable opportunity"
      >
        <Card opportunity={opportunity} name={name} owner={owner} />
      </div>
    </li>
  );
}

function StageTotals({ stage }: { stage: PipelineStage }) {
  if (stage.amounts.length === 0) return <div className="kanban-column__totals muted">Nothing yet</div>;
  return (
    <div className="kanban-column__totals">
      {stage.amounts.map((amount) => (
        <div key={amount.currency} className="num">
          <span className="muted">Expected</span> {formatCompactMoney(amount.expected, amount.currency)}
          <span className="muted"> · Committed</span> {formatCompactMoney(amount.committed, amount.currency)}
        </div>
      ))}
    </div>
  );
}

function Column({ stage, children, count }: { stage: PipelineStage; children: React.ReactNode; count: number }) {
  const { setNodeRef, isOver } = useDroppable({ id: stage.stage });
  const headingId = `stage-${stage.stage}`;
  return (
    <section
      ref={setNodeRef}
      className={`kanban-column${isOver ? " kanban-column--over" : ""}${stage.is_closed ? " kanban-column--closed" : ""}`}
      aria-labelledby={headingId}
      data-testid="kanban-column"
      data-stage={stage.stage}
    >
      <header className="kanban-column__header">
        <h2 id={headingId} className="kanban-column__title">
          {stage.label}
          <span className="badge" aria-label={`${stage.opportunities} opportunities`}>
            {stage.opportunities}
          </span>
        </h2>
        <StageTotals stage={stage} />
      </header>
      {count === 0 ? <p className="kanban-column__empty muted">Drag a card here to move it to {stage.label}.</p> : <ul className="kanban-column__cards">{children}</ul>}
    </section>
  );
}

interface Move {
  opportunity: Opportunity;
  to: string;
  lostReason?: string | null;
}

export default function Pipeline() {
  const [params, setParams] = useSearchParams();
  const queryClient = useQueryClient();
  const toast = useToast();
  const funds = useQuery({
    queryKey: ["funds", { sort: "position" }],
    queryFn: () => unwrap(api.GET("/api/funds", { params: { query: { limit: 200, sort: "position" } } })),
  });
  const fundId = params.get("fund") ?? funds.data?.items[0]?.id ?? null;
  const fund = funds.data?.items.find((item) => item.id === fundId);
  const reportKey = ["reports", "pipeline", fundId] as const;
  const opportunitiesKey = ["opportunities", { fund_id: fundId, all: true }] as const;
  const report = useQuery({
    queryKey: reportKey,
    queryFn: () => unwrap(api.GET("/api/reports/pipeline", { params: { query: { fund_id: fundId ?? undefined } } })),
    enabled: fundId !== null,
  });
  const opportunities = useQuery({ queryKey: opportunitiesKey, queryFn: () => allOpportunities(fundId ?? ""), enabled: fundId !== null });
  const names = useRecordNames({
    contacts: (opportunities.data ?? []).flatMap((o) => (o.investor_contact_id ? [o.investor_contact_id] : [])),
    organizations: (opportunities.data ?? []).flatMap((o) => (o.investor_organization_id ? [o.investor_organization_id] : [])),
  });
  const users = useUsers();
  const [activeId, setActiveId] = useState<string | null>(null);
  const [askLost, setAskLost] = useState<Move | null>(null);
  const [lostError, setLostError] = useState<string | undefined>();

  const ownerName = useMemo(() => {
    const map = new Map((users.data ?? []).map((user) => [user.id, user.display_name || user.username]));
    return (id: string | null) => (id ? (map.get(id) ?? null) : null);
  }, [users.data]);
  const nameOf = (opportunity: Opportunity) => names.get(investorId(opportunity)) ?? "…";
  const stageLabel = (stage: string) => report.data?.stages.find((s) => s.stage === stage)?.label ?? stage;

  const move = useMutation({
    mutationFn: ({ opportunity, to, lostReason }: Move) =>
      unwrap(
        api.PATCH("/api/opportunities/{record_id}/stage", {
          params: { path: { record_id: opportunity.id }, header: { "If-Match": `"${opportunity.version}"` } },
          body: lostReason === undefined ? { stage: to } : { stage: to, lost_reason: lostReason },
        }),
      ),
    onMutate: async ({ opportunity, to }) => {
      await queryClient.cancelQueries({ queryKey: opportunitiesKey });
      await queryClient.cancelQueries({ queryKey: reportKey });
      const before = { opportunities: queryClient.getQueryData<Opportunity[]>(opportunitiesKey), report: queryClient.getQueryData<PipelineReport>(reportKey) };
      queryClient.setQueryData<Opportunity[]>(opportunitiesKey, (old) => (old ? moveCard(old, opportunity.id, to) : old));
      queryClient.setQueryData<PipelineReport>(reportKey, (old) => (old ? adjustReport(old, opportunity, opportunity.stage, to) : old));
      return before;
    },
    onError: (error, { opportunity, to }, before) => {
      queryClient.setQueryData(opportunitiesKey, before?.opportunities);
      queryClient.setQueryData(reportKey, before?.report);
      const reason = error instanceof ApiError ? error.message : "the server could not be reached";
      toast.show(`${nameOf(opportunity)} stays in ${stageLabel(opportunity.stage)}: ${reason}`, { tone: "error", ms: 8000 });
      if (error instanceof ApiError && error.status === 409) void queryClient.invalidateQueries({ queryKey: opportunitiesKey });
      if (to === LOST && error instanceof ApiError) setLostError(error.fieldErrors().lost_reason ?? error.message);
    },
    onSuccess: (saved, { opportunity, to }) => {
      queryClient.setQueryData<Opportunity[]>(opportunitiesKey, (old) => old?.map((item) => (item.id === saved.id ? saved : item)));
      setAskLost(null);
      setLostError(undefined);
      toast.show(`${nameOf(opportunity)} moved to ${stageLabel(to)}`, {
        action: { label: "Undo", run: () => move.mutate({ opportunity: saved, to: opportunity.stage }) },
      });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: reportKey }),
  });

  const keyboardColumnRef = useRef<string | null>(null);
  const coordinateGetter = useCallback<KeyboardCoordinateGetter>((event, args) => columnStep(keyboardColumnRef, event, args), []);
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 4 } }), useSensor(KeyboardSensor, { coordinateGetter }));
  const byId = useMemo(() => new Map((opportunities.data ?? []).map((item) => [item.id, item])), [opportunities.data]);
  const stages = useMemo(() => report.data?.stages ?? [], [report.data]);
  const columns = useMemo(() => groupByStage(stages.map((stage) => stage.stage), opportunities.data ?? []), [stages, opportunities.data]);
  const active = activeId ? byId.get(activeId) : undefined;

  const announcements: Announcements = {
    onDragStart: ({ active: a }) => {
      const item = byId.get(String(a.id));
      return item ? `Picked up ${nameOf(item)} in ${stageLabel(item.stage)}. Left and right arrows move it between stages; Space drops it, Escape cancels.` : "";
    },
    onDragOver: ({ over }) => (over ? `Over ${stageLabel(String(over.id))}.` : "Not over a stage."),
    onDragEnd: ({ active: a, over }) => {
      const item = byId.get(String(a.id));
      return item && over ? `Dropped ${nameOf(item)} in ${stageLabel(String(over.id))}.` : "Dropped.";
    },
    onDragCancel: ({ active: a }) => {
      const item = byId.get(String(a.id));
      return item ? `Cancelled. ${nameOf(item)} stays in ${stageLabel(item.stage)}.` : "Cancelled.";
    },
  };

  function onDragStart(event: DragStartEvent) {
    setActiveId(String(event.active.id));
    keyboardColumnRef.current = byId.get(String(event.active.id))?.stage ?? null;
  }

  function onDragEnd(event: DragEndEvent) {
    setActiveId(null);
    const item = byId.get(String(event.active.id));
    const to = event.over ? String(event.over.id) : null;
    if (!item || !to || to === item.stage) return;
    if (to === LOST) {
      setLostError(undefined);
      setAskLost({ opportunity: item, to });
      return;
    }
    move.mutate({ opportunity: item, to });
  }

  function submitLost(event: SyntheticEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!askLost) return;
    const reason = new FormData(event.currentTarget).get("lost_reason");
    move.mutate({ ...askLost, lostReason: typeof reason === "string" ? reason : "" });
  }

  const loading = funds.isPending || (fundId !== null && (report.isPending || opportunities.isPending));
  const total = report.data?.totals ?? [];

  return (
    <div className="page page--wide">
      <PageHeader
        title="Pipeline"
        subtitle={
          fund
            ? total.length > 0
              ? total.map((t) => `${formatCompactMoney(t.expected, t.currency)} expected · ${formatCompactMoney(t.committed, t.currency)} committed`).join(" · ")
              : `${fund.name}: no opportunities yet`
            : "Opportunities by stage, per fund"
        }
        actions={
          (funds.data?.items.length ?? 0) > 0 && (
            <div className="pipeline-fund">
              <SelectField
                label="Fund"
                value={fundId ?? ""}
                onChange={(event) => setParams({ fund: event.target.value })}
                options={(funds.data?.items ?? []).map((item) => ({ value: item.id, label: item.vintage ? `${item.name} (${item.vintage})` : item.name }))}
              />
            </div>
          )
        }
      />
      {funds.isError || report.isError || opportunities.isError ? (
        <div className="form__error" role="alert">
          The pipeline could not be loaded. <Button small onClick={() => void queryClient.invalidateQueries()}>Try again</Button>
        </div>
      ) : loading ? (
        <SkeletonRows rows={6} />
      ) : !fundId ? (
        <EmptyState title="No funds yet">Create a fund first; its opportunities then show here by stage.</EmptyState>
      ) : (
        <>
          {(opportunities.data?.length ?? 0) === 0 && (
            <EmptyState title="No opportunities in this fund">Add investors to the fund from the fundraising grid; each shows here as a card you can move between stages.</EmptyState>
          )}
          <DndContext
            sensors={sensors}
            collisionDetection={collisions}
            onDragStart={onDragStart}
            onDragEnd={onDragEnd}
            onDragCancel={() => setActiveId(null)}
            accessibility={{
              announcements,
              screenReaderInstructions: {
                draggable: "To move this opportunity to another stage, press Space, then the left or right arrow, then Space to drop it or Escape to cancel.",
              },
            }}
          >
            <div className="kanban" data-testid="kanban">
              {stages.map((stage) => {
                const cards = columns.get(stage.stage) ?? [];
                return (
                  <Column key={stage.stage} stage={stage} count={cards.length}>
                    {cards.map((item) => (
                      <DraggableCard
                        key={item.id}
                        opportunity={item}
                        name={nameOf(item)}
                        owner={ownerName(item.owner_id)}
                        pending={move.isPending && move.variables.opportunity.id === item.id}
                      />
                    ))}
                  </Column>
                );
              })}
            </div>
            <DragOverlay dropAnimation={null}>{active ? <Card opportunity={active} name={nameOf(active)} owner={ownerName(active.owner_id)} dragging /> : null}</DragOverlay>
          </DndContext>
        </>
      )}
      <Dialog
        open={askLost !== null}
        title={askLost ? `Why was ${nameOf(askLost.opportunity)} lost?` : "Lost"}
        onClose={() => {
          setAskLost(null);
          setLostError(undefined);
        }}
      >
        <form className="form" onSubmit={submitLost}>
          <TextArea label="Lost reason" name="lost_reason" error={lostError} hint="Required by the pipeline's rules for Closed lost." autoFocus />
          <div className="form__actions">
            <Button
              onClick={() => {
                setAskLost(null);
                setLostError(undefined);
              }}
            >
              Cancel
            </Button>
            <Button type="submit" variant="primary" disabled={move.isPending}>
              Move to Closed lost
            </Button>
          </div>
        </form>
      </Dialog>
    </div>
  );
}
