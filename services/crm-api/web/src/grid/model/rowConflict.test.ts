import { describe, expect, it } from "vitest";

import { hasRowChanges, mergeRow, resolveRow, rowValueText, type RowConflict } from "./rowConflict";
import type { GridRowRead, PivotRow } from "./types";

const base: PivotRow = {
  id: "r1",
  version: 4,
  investor: { kind: "organization", id: "org1", name: "Acorn Capital", domains: [] },
  position: 1,
  flags: ["warm"],
  lead_source: "conference",
  values: { tier: "A", region: "EU" },
  contacts: [],
  lists: [],
  last_touch_at: null,
  notes: [],
  cells: {},
};

function theirs(over: Partial<GridRowRead>): GridRowRead {
  return {
    id: "r1",
    version: 5,
    created_at: "2026-12-01T00:00:00Z",
    updated_at: "2026-12-07T00:00:00Z",
    created_by: "u1",
    updated_by: "u2",
    deleted_at: null,
    investor_kind: "organization",
    organization_id: "org1",
    contact_id: null,
    position: 1,
    flags: ["warm"],
    lead_source: "conference",
    values: { tier: "A", region: "EU" },
    contacts: [],
    contact_ids: [],
    ...over,
  };
}

describe("a row both people changed", () => {
  it("merges fields only one side changed", () => {
    const merge = mergeRow(base, { lead_source: "referral", values: { tier: "B" } }, theirs({ values: { tier: "A", region: "US" } }));
    expect(merge.conflicts).toEqual([]);
    expect(merge.merged).toEqual({ lead_source: "referral", values: { tier: "B" } });
  });

  it("keeps both values of a field both changed, and nothing they agree on", () => {
    const merge = mergeRow(
      base,
      { flags: ["warm", "priority"], values: { tier: "B", region: "APAC" } },
      theirs({ flags: ["cold"], values: { tier: "B", region: "US" } }),
    );
    expect(merge.conflicts).toEqual([
      { field: "flags", mine: ["warm", "priority"], theirs: ["cold"] },
      { field: "values.region", mine: "APAC", theirs: "US" },
    ]);
    expect(hasRowChanges(merge.merged)).toBe(false);
  });

  it("sends theirs unless the user picks theirs or mine per field", () => {
    const conflict: RowConflict = {
      rowId: "r1",
      version: 5,
      theirsBy: "Bea",
      merged: { lead_source: "referral" },
      conflicts: [
        { field: "flags", mine: ["priority"], theirs: ["cold"] },
        { field: "values.region", mine: "APAC", theirs: "US" },
      ],
    };
    expect(resolveRow(conflict, {})).toEqual({ lead_source: "referral" });
    expect(resolveRow(conflict, { flags: "mine", "values.region": "theirs" })).toEqual({ lead_source: "referral", flags: ["priority"] });
    expect(resolveRow(conflict, { "values.region": "mine" })).toEqual({ lead_source: "referral", values: { region: "APAC" } });
  });

  it("shows values as text", () => {
    expect(rowValueText(["a", "b"])).toBe("a, b");
    expect(rowValueText([])).toBe("—");
    expect(rowValueText(null)).toBe("—");
    expect(rowValueText(3)).toBe("3");
    expect(rowValueText({ a: 1 })).toBe('{"a":1}');
  });
});
