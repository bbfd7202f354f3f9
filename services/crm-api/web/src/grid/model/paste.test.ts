import { describe, expect, it } from "vitest";

import { columnSpecs } from "./columns";
import { planPaste } from "./paste";
import type { GridColumn, PivotRow } from "./types";

const columns: GridColumn[] = [
  { kind: "field", ref: "field:investor", label: "Investor" },
  { kind: "fund", ref: "fund:f1", fund_id: "f1", name: "Fund I", currency: "USD", position: 0, version: 1 },
  { kind: "fund", ref: "fund:f2", fund_id: "f2", name: "Fund II", currency: "USD", position: 1, version: 1 },
  { kind: "custom", ref: "column:region", key: "region", label: "Region", type: "text", options: [], position: 0, width: null, version: 1 },
  { kind: "field", ref: "field:lead_source", label: "Lead source" },
  { kind: "field", ref: "field:lists", label: "Lists" },
];

function row(id: string, version = 2): PivotRow {
  return {
    id,
    version,
    investor: { kind: "organization", id: `org-${id}`, name: `Investor ${id}`, domains: [] },
    position: 1,
    flags: [],
    lead_source: null,
    values: {},
    contacts: [],
    lists: [],
    last_touch_at: null,
    notes: [],
    cells: {
      f1: { opportunity_id: `o-${id}`, version: 5, stage: "lead", expected_amount: null, committed_amount: "1.00", funded_amount: null, currency: "USD" },
    },
  };
}

const target = {
  rows: [row("a"), row("b"), row("c")],
  specs: columnSpecs(columns),
  amountField: "committed_amount" as const,
  stages: [{ value: "meeting", label: "Meeting" }],
};

describe("planPaste", () => {
  it("makes one cell operation per fund cell with the version read, and one row operation per row", () => {
    const plan = planPaste(
      [
        ["$1,000", "Meeting", "EMEA", "conference"],
        ["2000", "", "US", ""],
      ],
      { top: 0, left: 1, bottom: 0, right: 1 },
      target,
    );
    expect(plan.errors).toEqual([]);
    expect(plan.operations).toEqual([
      { type: "cell", row_id: "a", fund_id: "f1", version: 5, changes: { committed_amount: "1000.00", clear: false } },
      { type: "cell", row_id: "a", fund_id: "f2", version: 0, changes: { stage: "meeting", clear: false } },
      { type: "cell", row_id: "b", fund_id: "f1", version: 5, changes: { committed_amount: "2000.00", clear: false } },
      { type: "row", row_id: "a", version: 2, changes: { values: { region: "EMEA" }, lead_source: "conference" } },
      { type: "row", row_id: "b", version: 2, changes: { values: { region: "US" }, lead_source: null } },
    ]);
    expect(plan.range).toEqual({ top: 0, left: 1, bottom: 1, right: 4 });
  });

  it("fills a selected range with a single value", () => {
    const plan = planPaste([["7"]], { top: 0, left: 1, bottom: 2, right: 1 }, target);
    expect(plan.cells.map((c) => c.rowId)).toEqual(["a", "b", "c"]);
  });

  it("clips at the grid's edge, skips read-only columns and reports bad values", () => {
    const plan = planPaste([["x", "1", "2", "3", "4", "5", "6"]], { top: 2, left: 1, bottom: 2, right: 1 }, target);
    expect(plan.range.right).toBe(5);
    expect(plan.errors).toEqual(["Investor c, Fund I: “x” is not an amount or a stage"]);
    expect(plan.skipped).toBe(1);
  });

  it("leaves an empty cell empty when pasting nothing into it", () => {
    const plan = planPaste([["", ""]], { top: 0, left: 1, bottom: 0, right: 1 }, target);
    expect(plan.operations).toEqual([{ type: "cell", row_id: "a", fund_id: "f1", version: 5, changes: { committed_amount: null, clear: false } }]);
  });
});
