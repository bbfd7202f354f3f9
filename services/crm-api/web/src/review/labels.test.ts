import { describe, expect, it } from "vitest";

import { canSplit, decidedBy, levelLabel, percent, signedWeight, strongestFeatures, type Decision, type EntityState } from "./labels";

describe("review labels", () => {
  it("shows a probability as a percentage that never rounds up to certainty", () => {
    expect(percent(0.4932)).toBe("49%");
    expect(percent(0.996)).toBe("99%");
    expect(percent(1)).toBe("100%");
    expect(percent(-0.2)).toBe("0%");
  });

  it("signs weights in bits", () => {
    expect(signedWeight(3.21)).toBe("+3.2");
    expect(signedWeight(-1)).toBe("−1.0");
    expect(signedWeight(0.01)).toBe("0");
  });

  it("puts the features that moved the score most first", () => {
    const features = [
      { feature: "city", level: "same", left: "a", right: "a", m: 0.75, u: 0.3, weight: 1.3 },
      { feature: "email", level: "different", left: "x", right: "y", m: 0.5, u: 0.99, weight: -0.98 },
      { feature: "last_name", level: "exact", left: "Doe", right: "Doe", m: 0.88, u: 0.15, weight: 2.55 },
    ];
    expect(strongestFeatures(features).map((f) => f.feature)).toEqual(["last_name", "city", "email"]);
    expect(levelLabel("local_part")).toBe("same mailbox name");
  });

  it("names who decided", () => {
    const base: Decision = { id: "d", kind: "merge", decided_by: "", actor: null, reason: "", evidence: {}, entity_ids: [], moves: [], created_at: "" };
    expect(decidedBy({ ...base, decided_by: "user:1", actor: { kind: "user", id: "1", name: "Alice" } })).toBe("Alice");
    expect(decidedBy({ ...base, decided_by: "rule:exact_email" })).toBe("rule exact_email");
  });

  it("allows a split only when a record stays", () => {
    const link = { match_kind: "origin", confidence: 1, decided_by: "rule:x", decided_at: "" } as const;
    const entity = {
      links: [
        { ...link, source_kind: "contact", source_id: "a" },
        { ...link, source_kind: "contact", source_id: "b" },
      ],
    } as EntityState;
    expect(canSplit(entity, [])).toBe(false);
    expect(canSplit(entity, [{ source_kind: "contact", source_id: "a" }])).toBe(true);
    expect(
      canSplit(entity, [
        { source_kind: "contact", source_id: "a" },
        { source_kind: "contact", source_id: "b" },
      ]),
    ).toBe(false);
  });
});
