import { describe, expect, it } from "vitest";

import { gridReducer, initialGridState, type GridState } from "./state";
import type { Pivot, PivotRow } from "./types";

function row(id: string, over: Partial<PivotRow> = {}): PivotRow {
  return {
    id,
    version: 1,
    investor: { kind: "organization", id: `org-${id}`, name: `Investor ${id}`, domains: [] },
    position: 1,
    flags: [],
    lead_source: null,
    values: {},
    contacts: [],
    lists: [],
    last_touch_at: null,
    notes: [],
    cells: {},
    ...over,
  };
}

function page(rows: PivotRow[]): Pivot {
  return {
    view: { id: null, name: "All", version: null },
    seq: 10,
    columns: [],
    frozen_columns: 0,
    group_by: null,
    amount_field: "committed_amount",
    rows,
    groups: null,
    totals: { rows: rows.length, by_fund: {}, by_stage: {}, overall: [] },
    next_cursor: null,
    total: rows.length,
  };
}

const loaded: GridState = gridReducer(initialGridState, {
  type: "page",
  first: true,
  page: page([
    row("a", {
      cells: {
        f1: { opportunity_id: "o1", version: 3, stage: "lead", expected_amount: null, committed_amount: "5.00", funded_amount: null, currency: "USD" },
      },
    }),
    row("b"),
  ]),
});

const opportunity = (version: number, over: Record<string, unknown> = {}) => ({
  type: "crm.opportunity.updated",
  actor: { kind: "user", id: "u2", name: "Bea" },
  data: {
    id: "o1",
    version,
    investor_organization_id: "org-a",
    investor_contact_id: null,
    fund_id: "f1",
    stage: "meeting",
    expected_amount: null,
    committed_amount: "9.00",
    funded_amount: null,
    currency: "USD",
    deleted_at: null,
    ...over,
  },
});

describe("the live reducer", () => {
  it("shows another person's edit of a cell and remembers who made it", () => {
    const next = gridReducer(loaded, { type: "change", seq: 11, event: opportunity(4) });
    expect(next.rows[0]?.cells.f1?.committed_amount).toBe("9.00");
    expect(next.rows[0]?.cells.f1?.stage).toBe("meeting");
    expect(next.recent["a|fund:f1"]).toBe("Bea");
    expect(next.seq).toBe(11);
  });

  it("drops a change not newer than the cell", () => {
    const next = gridReducer(loaded, { type: "change", seq: 11, event: opportunity(3) });
    expect(next.rows).toBe(loaded.rows);
  });

  it("fills an empty cell from a new opportunity and empties it on delete", () => {
    const created = gridReducer(loaded, {
      type: "change",
      seq: 12,
      event: { ...opportunity(1, { id: "o2", investor_organization_id: "org-b" }), type: "crm.opportunity.created" },
    });
    expect(created.rows[1]?.cells.f1?.opportunity_id).toBe("o2");
    const deleted = gridReducer(created, {
      type: "change",
      seq: 13,
      event: { ...opportunity(2, { id: "o2", investor_organization_id: "org-b", deleted_at: "2026-01-01T00:00:00Z" }), type: "crm.opportunity.deleted" },
    });
    expect(deleted.rows[1]?.cells.f1).toBeUndefined();
  });

  it("updates a row's flags and drops a deleted row", () => {
    const flagged = gridReducer(loaded, {
      type: "change",
      seq: 11,
      event: { type: "crm.grid_row.updated", data: { id: "b", version: 2, flags: ["priority"], lead_source: "event", values: {}, position: 1 } },
    });
    expect(flagged.rows[1]?.flags).toEqual(["priority"]);
    const gone = gridReducer(flagged, { type: "change", seq: 12, event: { type: "crm.grid_row.deleted", data: { id: "b", version: 3 } } });
    expect(gone.rows.map((r) => r.id)).toEqual(["a"]);
  });

  it("asks for a reload when a row it does not know arrives, or the columns change", () => {
    expect(gridReducer(loaded, { type: "change", seq: 11, event: { type: "crm.grid_row.created", data: { id: "z", version: 1 } } }).outdated).toBe("rows");
    expect(gridReducer(loaded, { type: "change", seq: 11, event: { type: "crm.fund.updated", data: { id: "f1" } } }).outdated).toBe("columns");
  });

  it("renames an investor live", () => {
    const next = gridReducer(loaded, { type: "change", seq: 11, event: { type: "crm.organization.updated", data: { id: "org-a", name: "Acme Capital" } } });
    expect(next.rows[0]?.investor.name).toBe("Acme Capital");
  });

  it("tracks presence and locks", () => {
    const entry = { connection_id: "c1", user_id: "u2", name: "Bea", kind: "user", view_id: null, cell: { row_id: "a", column: "fund:f1" }, instance: "i", at: "" };
    let next = gridReducer(loaded, { type: "presence", op: "put", entry });
    expect(Object.keys(next.presence)).toEqual(["c1"]);
    const lock = { key: "k", row_id: "a", column: "fund:f1", user_id: "u2", name: "Bea", connection_id: "c1", acquired_at: "", expires_at: "", ttl: 30 };
    next = gridReducer(next, { type: "lock", op: "put", entry: lock });
    expect(next.locks["a|fund:f1"]?.name).toBe("Bea");
    next = gridReducer(next, { type: "lock", op: "delete", entry: lock });
    next = gridReducer(next, { type: "presence", op: "delete", entry });
    expect(next.locks).toEqual({});
    expect(next.presence).toEqual({});
  });

  it("keeps a pending edit over the cell until saved, and a conflict with both values", () => {
    let next = gridReducer(loaded, { type: "cellPending", rowId: "a", fundId: "f1", changes: { committed_amount: "7.00" } });
    expect(next.pendingCells["a|fund:f1"]).toEqual({ committed_amount: "7.00" });
    const theirs = { opportunity_id: "o1", version: 4, stage: "lead", expected_amount: null, committed_amount: "8.00", funded_amount: null, currency: "USD" };
    next = gridReducer(next, {
      type: "conflict",
      conflict: { rowId: "a", fundId: "f1", base: loaded.rows[0]?.cells.f1, mine: { committed_amount: "7.00" }, theirs, theirsBy: "Bea" },
    });
    expect(next.pendingCells).toEqual({});
    expect(next.rows[0]?.cells.f1?.committed_amount).toBe("8.00");
    expect(next.conflicts["a|fund:f1"]?.mine).toEqual({ committed_amount: "7.00" });
    next = gridReducer(next, { type: "resolved", rowId: "a", fundId: "f1" });
    expect(next.conflicts).toEqual({});
  });

  it("applies the cell the server saved", () => {
    const next = gridReducer(loaded, {
      type: "cellSaved",
      cell: { row_id: "b", fund_id: "f1", opportunity_id: "o9", version: 1, stage: "lead", expected_amount: null, committed_amount: "3.00", funded_amount: null, currency: "USD" },
    });
    expect(next.rows[1]?.cells.f1?.opportunity_id).toBe("o9");
  });
});
