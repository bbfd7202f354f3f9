import { describe, expect, it } from "vitest";

import { hasChanges, merge3, resolve } from "./conflict";
import type { PivotCell } from "./types";

const cell = (over: Partial<PivotCell> = {}): PivotCell => ({
  opportunity_id: "o1",
  version: 3,
  stage: "meeting",
  expected_amount: "100.00",
  committed_amount: null,
  funded_amount: null,
  currency: "USD",
  ...over,
});

describe("merge3", () => {
  it("merges changes of different fields by itself", () => {
    const base = cell();
    const theirs = cell({ version: 4, stage: "due_diligence" });
    const result = merge3(base, { committed_amount: "50.00" }, theirs);
    expect(result.conflicts).toEqual([]);
    expect(result.changes).toEqual({ committed_amount: "50.00" });
  });

  it("reports a field both changed differently, with both values", () => {
    const base = cell({ committed_amount: "10.00" });
    const theirs = cell({ version: 4, committed_amount: "20.00" });
    const result = merge3(base, { committed_amount: "30.00" }, theirs);
    expect(result.conflicts).toEqual([{ field: "committed_amount", base: "10.00", mine: "30.00", theirs: "20.00" }]);
    expect(hasChanges(result.changes)).toBe(false);
    expect(resolve(result, { committed_amount: "mine" })).toEqual({ committed_amount: "30.00" });
    expect(resolve(result, { committed_amount: "theirs" })).toEqual({});
  });

  it("is no conflict when both made the same change", () => {
    const result = merge3(cell(), { stage: "committed" }, cell({ version: 4, stage: "committed" }));
    expect(result.conflicts).toEqual([]);
    expect(hasChanges(result.changes)).toBe(false);
  });

  it("treats an empty cell someone filled meanwhile as theirs", () => {
    const result = merge3(undefined, { committed_amount: "5.00" }, cell({ version: 1, committed_amount: "7.00" }));
    expect(result.conflicts).toHaveLength(1);
  });

  it("refuses to clear a cell someone changed meanwhile", () => {
    expect(merge3(cell(), { clear: true }, cell({ version: 4, stage: "lead" })).clearConflict).toBe(true);
    expect(merge3(cell(), { clear: true }, cell({ version: 4 })).changes).toEqual({ clear: true });
  });
});
