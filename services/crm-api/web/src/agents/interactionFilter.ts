/**
 * The interaction log's filters: GET /api/interactions filters by actor, record, action (one, or
 * a family such as "tool."), outcome and MCP session; these helpers build its query and the
 * action picker.
 */
import type { components } from "../api/schema";

export type Interaction = components["schemas"]["InteractionRead"];

export interface LogFilter {
  actor: string;
  entity_type: string;
  entity_id: string;
  /** "tool.search", or a family such as "tool." */
  action: string;
  outcome: string;
  session: string;
}

/** The API's query for the filters as typed; empty fields are left out. */
export function logQuery(filter: LogFilter) {
  const outcome = OUTCOMES.find((o) => o === filter.outcome) ?? null;
  return {
    actor_id: filter.actor || null,
    entity_type: filter.entity_type || null,
    entity_id: filter.entity_id.trim() || null,
    action: filter.action || null,
    outcome,
    session_id: filter.session.trim() || null,
  };
}

export const OUTCOMES = ["ok", "error", "denied", "proposed", "dry_run"] as const;

/** The families agents' and people's actions fall into, always offered. */
const FAMILIES = ["agent.", "tool."];

/** The action picker: families ("tool.") first, then each action seen. */
export function actionChoices(seen: Iterable<string>): string[] {
  const actions = new Set(seen);
  const families = new Set(FAMILIES);
  for (const action of actions) if (action.includes(".")) families.add(`${action.split(".")[0] ?? action}.`);
  return [...[...families].sort(), ...[...actions].sort()];
}

/** Outside text was involved: the gateway's and crm-api's flags for it. */
export function isUntrusted(row: Interaction): boolean {
  return row.flags.some((flag) => flag === "untrusted" || flag === "untrusted_content" || flag === "untrusted_session");
}

export const OUTCOME_TONE: Record<string, "success" | "danger" | "warning" | "accent" | "neutral"> = {
  ok: "success",
  error: "danger",
  denied: "danger",
  proposed: "warning",
  dry_run: "accent",
};
