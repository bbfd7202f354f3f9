/**
 * What GET /api/interactions cannot filter by (it takes entity and actor only): the tool or
 * action, the outcome, and the MCP session. These apply to the rows loaded so far.
 */
import type { components } from "../api/schema";

export type Interaction = components["schemas"]["InteractionRead"];

export interface LocalFilter {
  /** "tool.search", or a prefix such as "tool." / "agent." */
  action: string;
  outcome: string;
  /** Matched in the summary: crm-api writes "mcp session <id>" there for agent actions. */
  session: string;
}

export const OUTCOMES = ["ok", "error", "denied", "proposed", "dry_run"] as const;

export function matchesLocal(row: Interaction, filter: LocalFilter): boolean {
  if (filter.outcome && row.outcome !== filter.outcome) return false;
  if (filter.action) {
    const wanted = filter.action.toLowerCase();
    const action = row.action.toLowerCase();
    if (wanted.endsWith(".") || wanted.endsWith("*")) {
      if (!action.startsWith(wanted.replace(/\*$/, ""))) return false;
    } else if (action !== wanted) return false;
  }
  if (filter.session && !row.summary.toLowerCase().includes(filter.session.trim().toLowerCase())) return false;
  return true;
}

export function isLocalFilterActive(filter: LocalFilter): boolean {
  return Boolean(filter.action || filter.outcome || filter.session);
}

/** The actions seen so far, for the action picker: families ("tool.") first, then each action. */
export function actionChoices(rows: Interaction[]): string[] {
  const actions = new Set(rows.map((row) => row.action));
  const families = new Set([...actions].map((a) => (a.includes(".") ? `${a.split(".")[0] ?? a}.` : a)).filter((a) => a.endsWith(".")));
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
