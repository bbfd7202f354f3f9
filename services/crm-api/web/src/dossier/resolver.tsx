import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";

import { api, unwrap } from "../api/client";
import { ApiError } from "../api/problem";
import type { components } from "../api/schema";
import { formatDate, formatNumber, formatRelative } from "../lib/format";
import { Button } from "../ui/Button";
import { Dialog } from "../ui/Dialog";
import { Badge, EmptyState, SkeletonRows } from "../ui/Feedback";
import { TextArea } from "../ui/Field";
import { useToast } from "../ui/toast";

type Neighbor = components["schemas"]["Neighbor"];
type LinkedRecord = components["schemas"]["LinkedRecord"];

const EDGE_LABEL: Record<string, string> = { membership: "member", met: "met", corresponded: "corresponded", team: "our team" };
const MATCH_LABEL: Record<string, string> = {
  origin: "origin",
  foreign_key: "linked record",
  exact_email: "same email",
  domain: "same domain",
  probabilistic: "likely match",
  manual: "set by a person",
};
const SOURCE_LABEL: Record<string, string> = {
  contact: "Contact",
  organization: "Organization",
  lp_profile: "LP profile",
  grid_row: "Grid row",
  email_participant: "Email address",
};

/** The resolver is its own service: when it is down the API says 503 and the card says so. */
function Unavailable({ error }: { error: unknown }) {
  const down = error instanceof ApiError && error.status === 503;
  return (
    <EmptyState title={down ? "The resolver is not answering" : "Could not load this"}>
      <span>{down ? "Relationships and linked records come back when it does." : error instanceof Error ? error.message : ""}</span>
    </EmptyState>
  );
}

export function useEntity(entityId: string | null | undefined) {
  return useQuery({
    queryKey: ["resolver", "entity", entityId],
    queryFn: () => unwrap(api.GET("/api/resolver/entities/{entity_id}", { params: { path: { entity_id: entityId ?? "" } } })),
    enabled: Boolean(entityId),
    retry: false,
  });
}

function NeighborLine({ neighbor }: { neighbor: Neighbor }) {
  const node = neighbor.node;
  const name =
    node.kind === "entity" ? <Link to={`/entities/${encodeURIComponent(node.id)}`}>{node.display_name}</Link> : <span>{node.display_name}</span>;
  return (
    <li className="list__item list__item--top">
      <div className="stack stack--tight">
        <div className="row">
          <span className="list__title">{name}</span>
          {node.kind === "team_member" && <Badge tone="accent">our team</Badge>}
          {neighbor.edge_kinds
            .filter((kind) => kind !== "team" || node.kind !== "team_member")
            .map((kind) => (
              <Badge key={kind}>{EDGE_LABEL[kind] ?? kind}</Badge>
            ))}
        </div>
        {neighbor.evidence.length > 0 && (
          <details className="evidence">
            <summary>
              {formatNumber(neighbor.evidence_count)} {neighbor.evidence_count === 1 ? "reason" : "reasons"}
              {neighbor.last_at && <> · last {formatRelative(neighbor.last_at)}</>}
            </summary>
            <ul className="evidence__list">
              {neighbor.evidence.map((evidence) => (
                <li key={`${evidence.origin_kind}:${evidence.origin_id}:${evidence.edge_kind}`}>
                  {evidence.detail || `${evidence.origin_kind} (${evidence.edge_kind})`}
                  {evidence.occurred_at && <span className="muted"> · {formatDate(evidence.occurred_at)}</span>}
                </li>
              ))}
            </ul>
          </details>
        )}
      </div>
      <span className="strength" title="Strength: recent and frequent contact counts more">
        <span className="visually-hidden">strength </span>
        {neighbor.strength.toFixed(1)}
      </span>
    </li>
  );
}

/**
 * Who knows them: the resolver's ranked connections with the evidence behind each, direct
 * relations only; the warm path shown is our team's strongest direct one. Chains through other
 * people are the Intro paths card's (IntroPaths.tsx).
 */
export function WhoKnows({ entityId }: { entityId: string | null | undefined }) {
  const neighbors = useQuery({
    queryKey: ["resolver", "neighbors", entityId],
    queryFn: () =>
      unwrap(
        api.GET("/api/resolver/entities/{entity_id}/neighbors", {
          params: { path: { entity_id: entityId ?? "" }, query: { limit: 12, evidence_per_neighbor: 3 } },
        }),
      ),
    enabled: Boolean(entityId),
    retry: false,
  });
  if (!entityId) return <EmptyState title="Not resolved yet">The resolver has not placed this record; connections appear once it has.</EmptyState>;
  if (neighbors.isPending) return <SkeletonRows rows={3} />;
  if (neighbors.isError) return <Unavailable error={neighbors.error} />;
  const list = neighbors.data.neighbors;
  if (list.length === 0) return <EmptyState title="No known connections">Log meetings and calls with them: each one strengthens the graph.</EmptyState>;
  const team = list.filter((n) => n.node.kind === "team_member");
  const best = team[0];
  return (
    <div className="stack">
      {best ? (
        <p className="intro-path">
          <strong>Warm path:</strong> {best.node.display_name} (our team) → {neighbors.data.entity.display_name}
          <span className="muted"> · {best.edge_kinds.map((k) => EDGE_LABEL[k] ?? k).join(", ")}</span>
        </p>
      ) : (
        <p className="muted">Nobody on our team knows them directly yet; Intro paths shows who can reach them through their connections.</p>
      )}
      <ul className="list">
        {list.map((neighbor) => (
          <NeighborLine key={`${neighbor.node.kind}:${neighbor.node.id}`} neighbor={neighbor} />
        ))}
      </ul>
    </div>
  );
}

function recordHref(record: LinkedRecord): string | null {
  const { source_kind: kind, source_id: id } = record.link;
  if (kind === "contact") return `/contacts/${encodeURIComponent(id)}`;
  if (kind === "organization") return `/organizations/${encodeURIComponent(id)}`;
  return null;
}

/**
 * The canonical entity's records, and "not the same": a split moves the record to an entity of
 * its own (kept apart from now on), undoable from the toast.
 */
export function LinkedRecords({ entityId, currentSource }: { entityId: string | null | undefined; currentSource?: { kind: string; id: string } }) {
  const entity = useEntity(entityId);
  const queryClient = useQueryClient();
  const toast = useToast();
  const [reporting, setReporting] = useState<LinkedRecord | null>(null);
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);

  const refresh = () => {
    for (const key of ["resolver", "contacts", "organizations"]) void queryClient.invalidateQueries({ queryKey: [key] });
  };
  const undo = useMutation({
    mutationFn: (decisionId: string) =>
      unwrap(api.POST("/api/resolver/decisions/{decision_id}/undo", { params: { path: { decision_id: decisionId } }, body: { reason: "undone from the dossier" } })),
    onSuccess: () => {
      toast.show("Link restored");
      refresh();
    },
    onError: (e) => toast.show(`Could not undo: ${e.message}`, { tone: "error" }),
  });
  const split = useMutation({
    mutationFn: (record: LinkedRecord) =>
      unwrap(
        api.POST("/api/resolver/splits", {
          body: {
            entity_id: entityId ?? "",
            sources: [{ source_kind: record.link.source_kind, source_id: record.link.source_id }],
            reason: reason.trim() || "reported as a wrong link from the dossier",
          },
        }),
      ),
    onSuccess: (result, record) => {
      setReporting(null);
      setReason("");
      setError(null);
      toast.show(`${record.label} is now kept apart`, { action: { label: "Undo", run: () => undo.mutate(result.decision.id) } });
      refresh();
    },
    onError: (e) => setError(e instanceof ApiError && e.status === 422 ? `${e.message} (an entity keeps at least one record)` : e.message),
  });

  if (!entityId) return <EmptyState title="Not resolved yet">Linked records appear once the resolver has placed this record.</EmptyState>;
  if (entity.isPending) return <SkeletonRows rows={3} />;
  if (entity.isError) return <Unavailable error={entity.error} />;
  const records = entity.data.records;
  return (
    <>
      {records.length === 0 ? (
        <EmptyState title="No linked records" />
      ) : (
        <ul className="list">
          {records.map((record) => {
            const href = recordHref(record);
            const current = currentSource && currentSource.kind === record.link.source_kind && currentSource.id === record.link.source_id;
            return (
              <li key={`${record.link.source_kind}:${record.link.source_id}`} className="list__item">
                <div>
                  <div className="row">
                    <span className="list__title">{href && !current ? <Link to={href}>{record.label}</Link> : record.label}</span>
                    {current && <Badge tone="accent">this record</Badge>}
                    {!record.is_live && <Badge tone="warning">deleted</Badge>}
                  </div>
                  <div className="muted small">
                    {SOURCE_LABEL[record.link.source_kind] ?? record.link.source_kind} · {MATCH_LABEL[record.link.match_kind] ?? record.link.match_kind} ·{" "}
                    {Math.round(record.link.confidence * 100)}%
                  </div>
                </div>
                {records.length > 1 && (
                  <Button small variant="ghost" onClick={() => setReporting(record)} aria-label={`Report ${record.label} as a wrong link`}>
                    Wrong link?
                  </Button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <Dialog open={reporting !== null} title="Not the same LP?" onClose={() => setReporting(null)}>
        {reporting && (
          <form
            className="form"
            onSubmit={(event) => {
              event.preventDefault();
              split.mutate(reporting);
            }}
          >
            <p>
              <strong>{reporting.label}</strong> will be moved out of <strong>{entity.data.entity.display_name}</strong> into an entity of its own, and
              no rule will join them again. You can undo it.
            </p>
            {error && (
              <div className="form__error" role="alert">
                {error}
              </div>
            )}
            <TextArea label="Why (kept with the decision)" value={reason} onChange={(e) => setReason(e.target.value)} rows={3} />
            <div className="form__actions">
              <Button onClick={() => setReporting(null)}>Cancel</Button>
              <Button type="submit" variant="danger" disabled={split.isPending}>
                Keep apart
              </Button>
            </div>
          </form>
        )}
      </Dialog>
    </>
  );
}
