import { describe, expect, it } from "vitest";

import { chainOf, describePath, hopsLabel, intermediaries, type IntroPath, pathKey, pathStrength, type PathNode } from "./introPaths";

const alice: PathNode = { kind: "team_member", id: "u-alice", display_name: "Alice", entity_kind: null };
const omar: PathNode = { kind: "entity", id: "e-omar", display_name: "Omar Shah", entity_kind: "person" };
const cedar: PathNode = { kind: "entity", id: "e-cedar", display_name: "Cedar Capital", entity_kind: "organization" };

function hop(from: PathNode, to: PathNode) {
  return { from, to, edge_kinds: ["met" as const], strength: 2.5, last_at: null, evidence: [] };
}

const throughOmar: IntroPath = { team_member: alice, hops: [hop(alice, omar), hop(omar, cedar)], score: 0.25 };
const direct: IntroPath = { team_member: alice, hops: [hop(alice, cedar)], score: 0.5 };

describe("intro paths", () => {
  it("reads a path as the chain from the team member to the LP", () => {
    expect(chainOf(throughOmar).map((n) => n.id)).toEqual(["u-alice", "e-omar", "e-cedar"]);
    expect(describePath(throughOmar)).toBe("Alice → Omar Shah → Cedar Capital");
    expect(describePath(direct)).toBe("Alice → Cedar Capital");
  });

  it("names the people to ask, and none for a direct relation", () => {
    expect(intermediaries(throughOmar).map((n) => n.display_name)).toEqual(["Omar Shah"]);
    expect(intermediaries(direct)).toEqual([]);
    expect(hopsLabel(throughOmar)).toBe("2 hops");
    expect(hopsLabel(direct)).toBe("direct");
  });

  it("keys two paths of the same team member apart by who they go through", () => {
    expect(pathKey(throughOmar)).not.toBe(pathKey(direct));
    expect(pathKey(direct)).toBe("team_member:u-alice>entity:e-cedar");
  });

  it("puts a word on the score at the documented thresholds", () => {
    expect(pathStrength(0.75)).toEqual({ label: "Strong", tone: "success" });
    expect(pathStrength(0.4).label).toBe("Strong");
    expect(pathStrength(0.25).label).toBe("Good");
    expect(pathStrength(0.15).label).toBe("Good");
    expect(pathStrength(0.03)).toEqual({ label: "Weak", tone: "neutral" });
  });
});
