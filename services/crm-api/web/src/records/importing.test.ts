import { describe, expect, it } from "vitest";

import { isFinished, progress, reportRows, summary } from "./importing";
import type { ImportRow } from "./types";

const job = { status: "running" as const, phase: "check" as const, mode: "commit" as const, rows_total: 200, rows_checked: 50, rows_applied: 0 };

describe("an import job", () => {
  it("shows the rows of its current phase", () => {
    expect(progress(job)).toEqual({ done: 50, total: 200, label: "Checking: 50 of 200 rows" });
    expect(progress({ ...job, phase: "apply", rows_checked: 200, rows_applied: 120 }).done).toBe(120);
    expect(progress({ ...job, status: "queued", phase: null }).label).toBe("Waiting for a worker…");
  });

  it("is finished once it succeeded, was refused, failed or was cancelled", () => {
    expect(isFinished({ status: "running" })).toBe(false);
    expect(isFinished({ status: "refused" })).toBe(true);
    expect(isFinished(undefined)).toBe(false);
  });

  it("sums its report in words", () => {
    const totals = { rows: 6, create: 3, update: 2, unchanged: 1, skip: 0, error: 1, organizations_created: 2 };
    expect(summary({ totals, mode: "commit", committed: true })).toBe("3 created, 1 updated, 1 unchanged, 0 skipped, 1 with errors, 2 organizations created");
    expect(summary({ totals, mode: "dry_run", committed: false })).toMatch(/^3 would be created/);
  });

  it("lists rows in error first", () => {
    const rows: ImportRow[] = [
      { row: 2, action: "create" },
      { row: 3, action: "error", errors: [{ field: "email", message: "bad" }] },
    ];
    expect(reportRows(rows, false).map((r) => r.row)).toEqual([3, 2]);
    expect(reportRows(rows, true).map((r) => r.row)).toEqual([3]);
  });
});
