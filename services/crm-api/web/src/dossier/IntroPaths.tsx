import { useQuery } from "@tanstack/react-query";
import { Fragment } from "react";
import { Link } from "react-router";

import { api, unwrap } from "../api/client";
import { ApiError } from "../api/problem";
import { formatDate, formatRelative } from "../lib/format";
import { Badge, EmptyState, SkeletonRows } from "../ui/Feedback";
import { chainOf, describePath, hopsLabel, type IntroPath, pathKey, type PathHop, type PathNode, pathStrength } from "./introPaths";

const EDGE_LABEL: Record<string, string> = { membership: "member", met: "met", corresponded: "corresponded", team: "our team" };
const PATHS_SHOWN = 6;

function NodeName({ node, isTarget }: { node: PathNode; isTarget: boolean }) {
  if (node.kind === "team_member") return <strong>{node.display_name}</strong>;
  if (isTarget) return <span>{node.display_name}</span>;
  return <Link to={`/entities/${encodeURIComponent(node.id)}`}>{node.display_name}</Link>;
}

function Hop({ hop }: { hop: PathHop }) {
  return (
    <li className="path__hop">
      <div className="row">
        <span>
          {hop.from.display_name} <span aria-hidden="true">→</span>
          <span className="visually-hidden">knows</span> {hop.to.display_name}
        </span>
        {hop.edge_kinds.map((kind) => (
          <Badge key={kind}>{EDGE_LABEL[kind] ?? kind}</Badge>
        ))}
        <span className="muted small">
          strength {hop.strength.toFixed(1)}
          {hop.last_at && <> · last {formatRelative(hop.last_at)}</>}
        </span>
      </div>
      {hop.evidence.length > 0 && (
        <ul className="evidence__list">
          {hop.evidence.map((evidence) => (
            <li key={`${evidence.origin_kind}:${evidence.origin_id}:${evidence.edge_kind}`}>
              {evidence.detail || `${evidence.origin_kind} (${evidence.edge_kind})`}
              {evidence.occurred_at && <span className="muted"> · {formatDate(evidence.occurred_at)}</span>}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

function PathLine({ path }: { path: IntroPath }) {
  const chain = chainOf(path);
  const strength = pathStrength(path.score);
  return (
    <li className="path">
      <div className="path__head">
        <ol className="path__chain" aria-label={describePath(path)}>
          {chain.map((node, index) => (
            <Fragment key={`${node.kind}:${node.id}`}>
              {index > 0 && (
                <li className="path__arrow" aria-hidden="true">
                  →
                </li>
              )}
              <li className="path__node">
                <NodeName node={node} isTarget={index === chain.length - 1} />
              </li>
            </Fragment>
          ))}
        </ol>
        <Badge tone={strength.tone} title={`Score ${path.score.toFixed(2)}: the weakest hop, halved for each hop after the first`}>
          {strength.label}
        </Badge>
      </div>
      <details className="evidence">
        <summary>
          {hopsLabel(path)} · why{path.hops.length > 1 ? " each hop" : ""}
        </summary>
        <ol className="path__hops">
          {path.hops.map((hop) => (
            <Hop key={`${hop.from.id}>${hop.to.id}`} hop={hop} />
          ))}
        </ol>
      </details>
    </li>
  );
}

/**
 * Intro paths: which of us can get an intro to them, and through whom. The resolver searches up
 * to three relations out from the LP and ranks the chains by their weakest hop, discounted per
 * hop (docs/resolver.md, "Intro paths"); each hop's evidence opens on demand.
 */
export function IntroPaths({ entityId }: { entityId: string | null | undefined }) {
  const paths = useQuery({
    queryKey: ["resolver", "paths", entityId],
    queryFn: () =>
      unwrap(
        api.GET("/api/resolver/entities/{entity_id}/paths", {
          params: { path: { entity_id: entityId ?? "" }, query: { limit: PATHS_SHOWN, evidence_per_edge: 3 } },
        }),
      ),
    enabled: Boolean(entityId),
    retry: false,
  });
  if (!entityId) return <EmptyState title="Not resolved yet">Intro paths appear once the resolver has placed this record.</EmptyState>;
  if (paths.isPending) return <SkeletonRows rows={2} />;
  if (paths.isError) {
    const down = paths.error instanceof ApiError && paths.error.status === 503;
    return (
      <EmptyState title={down ? "The resolver is not answering" : "Could not load intro paths"}>
        <span>{down ? "Intro paths come back when it does." : paths.error.message}</span>
      </EmptyState>
    );
  }
  const list = paths.data.paths;
  if (list.length === 0) {
    return (
      <EmptyState title="No intro paths yet">
        Nobody on our team is linked to them, or to anyone who knows them. Log meetings, calls and emails with them and the people around them (and
        their colleagues&apos; affiliations): each one can open a path.
      </EmptyState>
    );
  }
  return (
    <ol className="paths" aria-label="Intro paths, best first">
      {list.map((path) => (
        <PathLine key={pathKey(path)} path={path} />
      ))}
    </ol>
  );
}
