/** Words for the agents' API values, and where each kind of record lives in the app. */
import type { components } from "../api/schema";

export type Proposal = components["schemas"]["ProposalRead"];
export type ProposalStatus = components["schemas"]["ProposalStatus"];
export type RecordChange = components["schemas"]["RecordChange"];

export const ACTION_LABEL: Record<Proposal["action"], string> = {
  log_interaction: "Log an interaction",
  add_note: "Add a note",
  create_follow_up: "Create a follow-up",
  complete_follow_up: "Complete a follow-up",
  move_stage: "Move a stage",
  set_amounts: "Set amounts",
};

export const WHY_LABEL: Record<Proposal["why"], { short: string; long: string }> = {
  stage_or_money: {
    short: "stage or money",
    long: "It moves a stage or an amount: an agent's such writes always wait for a person.",
  },
  untrusted_session: {
    short: "after outside text",
    long: "The agent's session had read text from outside the fund (emails, notes), so its writes wait for a person.",
  },
};

export const STATUS_TONE: Record<ProposalStatus, "warning" | "success" | "neutral" | "danger"> = {
  pending: "warning",
  approved: "success",
  rejected: "neutral",
  failed: "danger",
};

const RECORD_PATH: Record<string, string> = {
  contact: "/contacts",
  organization: "/organizations",
  opportunity: "/opportunities",
  fund: "/funds",
};

/** The app's page of a record, where it has one. */
export function recordPath(type: string, id: string): string | null {
  const base = RECORD_PATH[type];
  return base ? `${base}/${encodeURIComponent(id)}` : null;
}

/** "follow_up" → "follow-up". */
export function typeLabel(type: string): string {
  return type.replace(/_/g, "-");
}

/** The last characters of an id: enough to tell rows apart at a glance. */
export function shortId(id: string): string {
  return id.length > 10 ? `…${id.slice(-6)}` : id;
}
