/** The import job's life, in words and numbers (pure, for the import screen and its tests). */
import type { ImportJob, ImportReport, ImportRow } from "./types";

export const FINISHED: ReadonlySet<ImportJob["status"]> = new Set(["succeeded", "refused", "failed", "cancelled"]);

export function isFinished(job: Pick<ImportJob, "status"> | undefined): boolean {
  return job !== undefined && FINISHED.has(job.status);
}

/** How far the job has got: the rows of its current phase done, out of all rows. */
export function progress(job: Pick<ImportJob, "status" | "phase" | "mode" | "rows_total" | "rows_checked" | "rows_applied">): { done: number; total: number; label: string } {
  const total = job.rows_total;
  if (job.status === "queued") return { done: 0, total, label: "Waiting for a worker…" };
  if (job.phase === "apply") return { done: job.rows_applied, total, label: `Importing: ${job.rows_applied} of ${total} rows written` };
  if (FINISHED.has(job.status)) {
    const done = job.mode === "commit" && job.status === "succeeded" ? job.rows_applied || total : job.rows_checked;
    return { done, total, label: STATUS_TEXT[job.status] };
  }
  return { done: job.rows_checked, total, label: `Checking: ${job.rows_checked} of ${total} rows` };
}

export const STATUS_TEXT: Record<ImportJob["status"], string> = {
  queued: "Queued",
  running: "Running",
  succeeded: "Done",
  refused: "Refused: some rows have errors, nothing was written",
  failed: "Failed",
  cancelled: "Cancelled",
};

/** The report's headline: "3 created, 1 updated, 2 unchanged, 0 skipped, 1 with errors". */
export function summary(report: Pick<ImportReport, "totals" | "mode" | "committed">): string {
  const t = report.totals;
  const verb = report.mode === "dry_run" || !report.committed ? "would be " : "";
  const parts = [
    `${t.create} ${verb}created`,
    `${t.update - t.unchanged} ${verb}updated`,
    `${t.unchanged} unchanged`,
    `${t.skip} skipped`,
    `${t.error} with errors`,
  ];
  if (t.organizations_created) parts.push(`${t.organizations_created} organizations ${verb}created`);
  return parts.join(", ");
}

/** The rows to show: errors first (in file order), then the rest, or only the errors. */
export function reportRows(rows: ImportRow[], onlyErrors: boolean): ImportRow[] {
  const errors = rows.filter((r) => r.action === "error");
  return onlyErrors ? errors : [...errors, ...rows.filter((r) => r.action !== "error")];
}
