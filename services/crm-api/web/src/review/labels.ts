/** Words and numbers for the resolver's review queue; pure, tested. */
import type { components } from "../api/schema";

export type ReviewItem = components["schemas"]["ReviewItem"];
export type EntityState = components["schemas"]["EntityState"];
export type Decision = components["schemas"]["Decision"];
export type FeatureScore = components["schemas"]["FeatureScore"];
export type SourceRef = components["schemas"]["SourceRef"];

/** 0.4932 → "49%"; never "100%" for a pair below certainty. */
export function percent(probability: number): string {
  const value = Math.max(0, Math.min(1, probability)) * 100;
  const rounded = value > 99 && value < 100 ? 99 : Math.round(value);
  return `${rounded}%`;
}

/** A match weight in bits, signed: "+3.2", "−1.0", "0". */
export function signedWeight(weight: number): string {
  if (Math.abs(weight) < 0.05) return "0";
  const text = Math.abs(weight).toFixed(1);
  return weight > 0 ? `+${text}` : `−${text}`;
}

export const FEATURE_LABEL: Record<string, string> = {
  first_name: "First name",
  last_name: "Last name",
  email: "Email",
  email_domain: "Email domain",
  organization: "Organization",
  phone: "Phone",
  city: "City",
  name: "Name",
  domain: "Domain",
  domains: "Domains",
};

export function featureLabel(feature: string): string {
  return FEATURE_LABEL[feature] ?? feature.replace(/_/g, " ");
}

/** "local_part" → "same mailbox name", "missing" → "not known on both". */
const LEVEL_LABEL: Record<string, string> = {
  missing: "not known on both",
  local_part: "same mailbox name",
  shared: "shared",
};

export function levelLabel(level: string): string {
  return LEVEL_LABEL[level] ?? level.replace(/_/g, " ");
}

/** The features that moved the score most, strongest first (what to read first). */
export function strongestFeatures(features: FeatureScore[]): FeatureScore[] {
  return [...features].sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
}

export const DECISION_LABEL: Record<Decision["kind"], string> = {
  merge: "Merged",
  split: "Split",
  reject: "Kept apart",
  undo: "Undid",
};

export const VERDICT_LABEL: Record<ReviewItem["best_pair"]["verdict"], string> = {
  auto_link: "would link on its own",
  review: "needs a person",
  separate: "looks different",
};

/** Who decided: the person's name, or the rule. */
export function decidedBy(decision: Decision): string {
  if (decision.actor?.name) return decision.actor.name;
  if (decision.decided_by.startsWith("rule:")) return `rule ${decision.decided_by.slice(5)}`;
  return decision.decided_by;
}

export function sourceKey(source: SourceRef): string {
  return `${source.source_kind}:${source.source_id}`;
}

/** A split must leave at least one record on the entity (the API says 422 otherwise). */
export function canSplit(entity: EntityState, chosen: SourceRef[]): boolean {
  const total = entity.links?.length ?? 0;
  return chosen.length > 0 && chosen.length < total;
}
