import { describe, expect, it } from "vitest";

import type { ColumnSpec } from "./columns";
import { nextSorting, toViewSorts } from "./sorting";

const specs: ColumnSpec[] = [
  { ref: "field:investor", kind: "investor", label: "Investor", width: 200, editable: false },
  { ref: "fund:f1", kind: "fund", label: "Fund I", width: 150, fundId: "f1", editable: true },
  { ref: "field:notes", kind: "field", label: "Notes", width: 200, editable: false },
];

describe("sorting", () => {
  it("cycles a header through ascending, descending and off", () => {
    let sorting = nextSorting([], "fund:f1", false);
    expect(sorting).toEqual([{ id: "fund:f1", desc: false }]);
    sorting = nextSorting(sorting, "fund:f1", false);
    expect(sorting).toEqual([{ id: "fund:f1", desc: true }]);
    expect(nextSorting(sorting, "fund:f1", false)).toEqual([]);
  });

  it("adds a second key with Shift", () => {
    expect(nextSorting([{ id: "field:investor", desc: false }], "fund:f1", true)).toEqual([
      { id: "field:investor", desc: false },
      { id: "fund:f1", desc: false },
    ]);
  });

  it("saves as the view's sort paths, leaving out what a view cannot sort by", () => {
    expect(
      toViewSorts(
        [
          { id: "fund:f1", desc: true },
          { id: "field:notes", desc: false },
          { id: "field:investor", desc: false },
        ],
        specs,
        "committed_amount",
      ),
    ).toEqual([
      { field: "fund.f1.committed_amount", direction: "desc" },
      { field: "name", direction: "asc" },
    ]);
  });
});
