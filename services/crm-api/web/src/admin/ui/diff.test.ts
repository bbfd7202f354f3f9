import { describe, expect, it } from "vitest";

import { diffRecords, displayValue, fieldLabel, jsonEqual, rowsFromChanges } from "./diff";

describe("diffRecords", () => {
  it("marks each field added, removed, changed or the same", () => {
    const rows = diffRecords(
      { stage: "lead", amount: "10.00", owner: "a", note: null },
      { stage: "committed", amount: "10.00", owner: null, note: "hi" },
    );
    expect(rows.map((r) => [r.field, r.kind])).toEqual([
      ["stage", "changed"],
      ["amount", "same"],
      ["owner", "removed"],
      ["note", "added"],
    ]);
  });

  it("treats a new record as every field added", () => {
    const rows = diffRecords(null, { subject: "Call", body: "Notes" });
    expect(rows.every((r) => r.kind === "added")).toBe(true);
  });

  it("hides book-keeping fields and unchanged ones when asked", () => {
    const rows = diffRecords(
      { version: 1, updated_at: "x", stage: "lead", name: "A" },
      { version: 2, updated_at: "y", stage: "meeting", name: "A" },
      { hideNoise: true, onlyChanged: true },
    );
    expect(rows.map((r) => r.field)).toEqual(["stage"]);
  });

  it("compares nested values by content, not identity", () => {
    expect(jsonEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(jsonEqual({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(diffRecords({ tags: ["x"] }, { tags: ["x"] })[0]?.kind).toBe("same");
  });
});

describe("rowsFromChanges", () => {
  it("reads the audit log's {field: [old, new]}", () => {
    expect(rowsFromChanges({ stage: ["lead", "won"], owner: [null, "u1"] })).toEqual([
      { field: "stage", before: "lead", after: "won", kind: "changed" },
      { field: "owner", before: null, after: "u1", kind: "added" },
    ]);
  });
});

describe("display", () => {
  it("shows values as plain text", () => {
    expect(displayValue(null)).toBe("—");
    expect(displayValue(false)).toBe("false");
    expect(displayValue({ a: 1 })).toBe('{"a":1}');
    expect(fieldLabel("primary_email")).toBe("Primary email");
  });
});
