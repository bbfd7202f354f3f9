/**
 * Importing a spreadsheet (POST /api/grid/import): first a dry run, whose report says per line
 * what would be created or changed (and what is wrong); then the commit, one batch that Undo
 * takes back.
 */
import { useState, type SyntheticEvent } from "react";

import { fetchRaw } from "../api/client";
import type { components } from "../api/schema";
import { ApiError } from "../api/problem";
import { formatNumber } from "../lib/format";
import { Button } from "../ui/Button";
import { Badge } from "../ui/Feedback";
import { Dialog } from "../ui/Dialog";
import { SelectField, TextField } from "../ui/Field";
import type { Stage } from "./model/columns";
import { AMOUNT_FIELDS, type AmountField } from "./model/types";

type Report = components["schemas"]["SheetImportReport"];

const ACTION_TONE = { create: "success", update: "accent", unchanged: "neutral", error: "danger" } as const;

async function send(file: File, mode: "dry_run" | "commit", amountField: AmountField, defaultStage: string): Promise<Report> {
  const form = new FormData();
  form.set("file", file);
  form.set("mode", mode);
  form.set("amount_field", amountField);
  form.set("default_stage", defaultStage);
  const headers: Record<string, string> = mode === "commit" ? { "Idempotency-Key": crypto.randomUUID() } : {};
  const response = await fetchRaw("/api/grid/import", { method: "POST", body: form, headers });
  return (await response.json()) as Report;
}

export function ImportDialog({
  open,
  onClose,
  stages,
  onImported,
}: {
  open: boolean;
  onClose: () => void;
  stages: readonly Stage[];
  onImported: (report: Report) => void;
}) {
  const [file, setFile] = useState<File | null>(null);
  const [amountField, setAmountField] = useState<AmountField>("committed_amount");
  const [defaultStage, setDefaultStage] = useState("lead");
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function close() {
    setReport(null);
    setError(null);
    setFile(null);
    onClose();
  }

  async function run(mode: "dry_run" | "commit") {
    if (!file) {
      setError("Choose a CSV or XLSX file first.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const answer = await send(file, mode, amountField, defaultStage);
      if (mode === "commit") {
        onImported(answer);
        close();
      } else {
        setReport(answer);
      }
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : "The file could not be sent.");
    } finally {
      setBusy(false);
    }
  }

  function submit(event: SyntheticEvent<HTMLFormElement>) {
    event.preventDefault();
    void run(report ? "commit" : "dry_run");
  }

  const errors = report?.totals.error ?? 0;
  return (
    <Dialog open={open} title="Import a spreadsheet" onClose={close}>
      <form className="form" onSubmit={submit}>
        <p className="muted">
          One investor a line, a column per fund (its amount), or “Fund I committed”, “Fund I stage”. An export imports back unchanged.
        </p>
        <TextField
          label="File (CSV or XLSX)"
          type="file"
          accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          onChange={(event) => {
            setFile(event.target.files?.[0] ?? null);
            setReport(null);
          }}
          error={error ?? undefined}
        />
        <div className="form__row">
          <SelectField
            label="A fund's column holds"
            value={amountField}
            onChange={(event) => {
              setAmountField(event.target.value as AmountField);
              setReport(null);
            }}
            options={AMOUNT_FIELDS}
          />
          <SelectField
            label="Stage of new cells"
            value={defaultStage}
            onChange={(event) => {
              setDefaultStage(event.target.value);
              setReport(null);
            }}
            options={stages}
          />
        </div>
        {report && (
          <section aria-labelledby="import-report-title" className="stack" data-testid="import-report">
            <h3 id="import-report-title">What the import would do</h3>
            <p>
              {formatNumber(report.totals.lines)} lines: {formatNumber(report.totals.create)} new, {formatNumber(report.totals.update)} changed,{" "}
              {formatNumber(report.totals.unchanged)} unchanged, {formatNumber(errors)} with errors · {formatNumber(report.totals.cells)} cells ·{" "}
              {formatNumber(report.totals.new_columns)} new columns
            </p>
            <div className="table-wrap import-report">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Line</th>
                    <th scope="col">Investor</th>
                    <th scope="col">Result</th>
                    <th scope="col">Details</th>
                  </tr>
                </thead>
                <tbody>
                  {report.lines
                    .filter((line) => line.action !== "unchanged")
                    .slice(0, 200)
                    .map((line) => (
                      <tr key={line.line}>
                        <td className="num">{line.line}</td>
                        <td>{line.investor}</td>
                        <td>
                          <Badge tone={ACTION_TONE[line.action]}>{line.action}</Badge>
                        </td>
                        <td className="import-report__details">
                          {(line.errors ?? []).map((e) => `${e.column}: ${e.message}`).join("; ")}
                          {(line.changes ?? []).map((c) => `${c.target}: ${c.before ?? "—"} → ${c.after ?? "—"}`).join("; ")}
                        </td>
                      </tr>
                    ))}
                </tbody>
              </table>
            </div>
          </section>
        )}
        <div className="form__actions">
          <Button onClick={close}>Cancel</Button>
          {report ? (
            <Button type="submit" variant="primary" disabled={busy || errors > 0}>
              {errors > 0 ? "Fix the errors to import" : `Import ${formatNumber(report.totals.lines)} lines`}
            </Button>
          ) : (
            <Button type="submit" variant="primary" disabled={busy}>
              {busy ? "Checking…" : "Check the file"}
            </Button>
          )}
        </div>
      </form>
    </Dialog>
  );
}
