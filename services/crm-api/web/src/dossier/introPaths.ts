/**
 * Intro paths as the dossier shows them: the resolver's ranked chains from one of our team to
 * the LP (GET /api/resolver/entities/{id}/paths; the score is explained in docs/resolver.md).
 */
import type { components } from "../api/schema";

export type IntroPath = components["schemas"]["IntroPath"];
export type PathHop = components["schemas"]["PathHop"];
export type PathNode = components["schemas"]["Node"];

/** The people and organizations along a path, from the team member to the LP. */
export function chainOf(path: IntroPath): PathNode[] {
  return [path.team_member, ...path.hops.map((hop) => hop.to)];
}

/** "Alice → Omar Shah → Cedar Capital", for labels and titles. */
export function describePath(path: IntroPath): string {
  return chainOf(path)
    .map((node) => node.display_name)
    .join(" → ");
}

/** Who to ask: the intermediaries, nearest the team member first; empty for a direct relation. */
export function intermediaries(path: IntroPath): PathNode[] {
  return path.hops.slice(0, -1).map((hop) => hop.to);
}

export function pathKey(path: IntroPath): string {
  return chainOf(path)
    .map((node) => `${node.kind}:${node.id}`)
    .join(">");
}

export type Tone = "success" | "accent" | "neutral";

/**
 * A word for a path's score (0..1: its weakest hop's strength s as s/(s+1), halved per hop after
 * the first). Strong: a direct relation at least as good as a call last month (0.4 and up);
 * good: a strong path through one person, or a middling direct one (0.15 and up); else weak.
 */
export function pathStrength(score: number): { label: string; tone: Tone } {
  if (score >= 0.4) return { label: "Strong", tone: "success" };
  if (score >= 0.15) return { label: "Good", tone: "accent" };
  return { label: "Weak", tone: "neutral" };
}

export function hopsLabel(path: IntroPath): string {
  const hops = path.hops.length;
  return hops === 1 ? "direct" : `${hops} hops`;
}
