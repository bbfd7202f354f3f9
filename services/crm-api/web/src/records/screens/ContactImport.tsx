/**
 * Import contacts from a CSV or XLSX through the import jobs API: upload, follow the job with a
 * progress bar, then read its report (rows created, updated, skipped, in error, per row).
 */
import "../records.css";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { ColumnDef } from "@tanstack/react-table";
import { useEffect, useId, useMemo, useRef, useState, type SyntheticEvent } from "react";
import { Link, useSearchParams } from "react-router";

import { api, fetchRaw, unwrap } from "../../api/client";
import { ApiError } from "../../api/problem";
import { formatDateTime, formatNumber, formatRelative } from "../../lib/format";
import { Button } from "../../ui/Button";
import { Badge, EmptyState, PageHeader, SkeletonRows } from "../../ui/Feedback";
import { useToast } from "../../ui/toast";
import { isFinished, progress, reportRows, STATUS_TEXT, summary } from "../importing";
import { DataTable } from "../list/DataTable";
import type { ImportJob, ImportReport, ImportRow } from "../types";

const TARGETS =
  "first_name, last_name (or full_name), email, email_2, phone, title, contact_type, status, source, city, region, country, linkedin_url, notes, organization, organization_domain, organization_type, role";

const ACTION_TONE: Record<ImportRow["action"], "success" | "accent" | "neutral" | "danger"> = {
  create: "success",
  update: "accent",
  skip: "neutral",
  error: "danger",
};

function UploadForm({ onStarted }: { onStarted: (job: ImportJob) => void }) {
  const fileId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [dryRun, setDryRun] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const upload = useMutation({
    mutationFn: async () => {
      if (!file) throw new Error("Choose a CSV or XLSX file first.");
      const form = new FormData();
      form.append("file", file);
      form.append("mode", dryRun ? "dry_run" : "commit");
      const response = await fetchRaw("/api/import/jobs", { method: "POST", body: form, headers: { "Idempotency-Key": crypto.randomUUID() } });
      return (await response.json()) as ImportJob;
    },
    onMutate: () => setError(null),
    onSuccess: onStarted,
    onError: (err) => setError(err instanceof ApiError ? (err.problem.detail ?? err.problem.title) : err instanceof Error ? err.message : "The upload failed."),
  });
  return (
    <form
      className="form"
      onSubmit={(event: SyntheticEvent) => {
        event.preventDefault();
        upload.mutate();
      }}
    >
      <div className="field">
        <label className="field__label" htmlFor={fileId}>
          CSV or XLSX file
        </label>
        <input
          id={fileId}
          className="input"
          type="file"
          accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          aria-describedby={`${fileId}-hint${error ? ` ${fileId}-error` : ""}`}
          aria-invalid={error ? true : undefined}
          onChange={(event) => setFile(event.target.files?.[0] ?? null)}
        />
        <span className="field__hint" id={`${fileId}-hint`}>
          A CSV (UTF-8, comma or semicolon separated) or an XLSX workbook (its first sheet), with one header row; up to 100,000 rows. Columns named like the fields are matched: {TARGETS}. Rows are matched to contacts by email;
          organizations by domain, then name.
        </span>
        {error && (
          <span className="field__error" id={`${fileId}-error`} role="alert">
            {error}
          </span>
        )}
      </div>
      <label className="records-checkline">
        <input type="checkbox" checked={dryRun} onChange={(event) => setDryRun(event.target.checked)} />
        Check only (a dry run: report what would happen, write nothing)
      </label>
      <div className="form__actions">
        <Button type="submit" variant="primary" disabled={!file || upload.isPending}>
          {upload.isPending ? "Uploading…" : dryRun ? "Check the file" : "Import"}
        </Button>
      </div>
    </form>
  );
}

function JobProgress({ job }: { job: ImportJob }) {
  const labelId = useId();
  const { done, total, label } = progress(job);
  return (
    <div className="stack">
      <div className="row records-job__head">
        <strong>{job.filename ?? "Upload"}</strong>
        <Badge tone={job.status === "succeeded" ? "success" : job.status === "refused" || job.status === "failed" ? "danger" : "accent"}>{job.status}</Badge>
        {job.mode === "dry_run" && <Badge>dry run</Badge>}
        <span className="muted">started {formatRelative(job.started_at ?? job.created_at)}</span>
      </div>
      <span id={labelId}>{label}</span>
      <progress className="records-progress" aria-labelledby={labelId} max={Math.max(total, 1)} value={isFinished(job) && total === 0 ? 1 : done} />
      {job.error && (
        <p className="form__error" role="alert">
          {job.error}
        </p>
      )}
    </div>
  );
}

function Report({ report }: { report: ImportReport }) {
  const [onlyErrors, setOnlyErrors] = useState(report.totals.error > 0);
  const rows = useMemo(() => reportRows(report.rows, onlyErrors), [report.rows, onlyErrors]);
  const t = report.totals;
  const columns = useMemo<ColumnDef<ImportRow>[]>(
    () => [
      { id: "row", header: "Line", meta: { numeric: true }, cell: ({ row }) => formatNumber(row.original.row) },
      { id: "action", header: "Result", cell: ({ row }) => <Badge tone={ACTION_TONE[row.original.action]}>{row.original.action}</Badge> },
      {
        id: "contact",
        header: "Contact",
        cell: ({ row }) => (row.original.contact_id ? <Link to={`/contacts/${row.original.contact_id}`}>Open</Link> : <span className="muted">—</span>),
      },
      { id: "changes", header: "Changes", cell: ({ row }) => (row.original.changes?.length ? row.original.changes.join(", ") : <span className="muted">—</span>) },
      {
        id: "errors",
        header: "Errors",
        cell: ({ row }) =>
          row.original.errors?.length ? (
            <ul className="records-cell-list">
              {row.original.errors.map((e) => (
                <li key={`${e.field}-${e.message}`}>
                  <strong>{e.field}</strong>: {e.message}
                </li>
              ))}
            </ul>
          ) : (
            <span className="muted">—</span>
          ),
      },
    ],
    [],
  );
  const stats: [string, number, string][] = [
    ["Rows", t.rows, ""],
    ["Created", t.create, "success"],
    ["Updated", t.update - t.unchanged, "accent"],
    ["Unchanged", t.unchanged, ""],
    ["Skipped", t.skip, ""],
    ["Errors", t.error, t.error ? "danger" : ""],
    ["New organizations", t.organizations_created, ""],
  ];
  return (
    <section className="card stack" aria-labelledby="report-title">
      <div className="card__title">
        <h2 id="report-title">Report</h2>
        <span className="muted">{report.mode === "dry_run" ? "Dry run: nothing was written" : report.committed ? "Written" : "Nothing was written"}</span>
      </div>
      <p>{summary(report)}.</p>
      <dl className="records-stats">
        {stats.map(([label, value, tone]) => (
          <div key={label} className={`records-stat ${tone ? `records-stat--${tone}` : ""}`}>
            <dt>{label}</dt>
            <dd className="num">{formatNumber(value)}</dd>
          </div>
        ))}
      </dl>
      {Object.keys(report.mapping).length > 0 && (
        <details>
          <summary>Columns as read</summary>
          <ul className="records-cell-list">
            {Object.entries(report.mapping).map(([column, field]) => (
              <li key={column}>
                {column} → {field}
              </li>
            ))}
          </ul>
        </details>
      )}
      {t.error > 0 && (
        <label className="records-checkline">
          <input type="checkbox" checked={onlyErrors} onChange={(event) => setOnlyErrors(event.target.checked)} />
          Only rows with errors
        </label>
      )}
      {rows.length === 0 ? (
        <EmptyState title="No rows">The file had a header and nothing else.</EmptyState>
      ) : (
        <DataTable caption="Rows of the import" data={rows} columns={columns} getRowId={(r) => String(r.row)} sort={null} defaultSort="" onSort={() => undefined} />
      )}
    </section>
  );
}

function RecentJobs({ current }: { current: string | null }) {
  const jobs = useQuery({ queryKey: ["import-jobs", "list"], queryFn: () => unwrap(api.GET("/api/import/jobs", { params: { query: { limit: 10 } } })) });
  const items = jobs.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="recent-title">
      <div className="card__title">
        <h2 id="recent-title">Your recent imports</h2>
      </div>
      {jobs.isPending ? (
        <SkeletonRows rows={3} />
      ) : items.length === 0 ? (
        <p className="muted">None yet.</p>
      ) : (
        <ul className="list">
          {items.map((job) => (
            <li key={job.id} className="list__item">
              <Link to={`?job=${job.id}`} aria-current={job.id === current ? "true" : undefined}>
                {job.filename ?? "Upload"}
              </Link>
              <span className="muted" title={formatDateTime(job.created_at)}>
                {STATUS_TEXT[job.status].split(":")[0]} · {formatRelative(job.created_at)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export default function ContactImport() {
  const [params, setParams] = useSearchParams();
  const jobId = params.get("job");
  const toast = useToast();
  const queryClient = useQueryClient();
  const job = useQuery({
    queryKey: ["import-jobs", jobId],
    queryFn: () => unwrap(api.GET("/api/import/jobs/{job_id}", { params: { path: { job_id: jobId ?? "" } } })),
    enabled: Boolean(jobId),
    refetchInterval: (query) => (isFinished(query.state.data) ? false : 750),
  });
  const finished = isFinished(job.data);
  const report = useQuery({
    queryKey: ["import-jobs", jobId, "report"],
    queryFn: () => unwrap(api.GET("/api/import/jobs/{job_id}/report", { params: { path: { job_id: jobId ?? "" } } })),
    enabled: Boolean(jobId) && finished && job.data?.status !== "cancelled",
    retry: false,
    staleTime: Infinity,
  });
  // A toast when a job this page watched finishes (not when opening an old one).
  const watched = useRef<string | null>(null);
  useEffect(() => {
    if (!job.data) return;
    if (!isFinished(job.data)) {
      watched.current = job.data.id;
    } else if (watched.current === job.data.id) {
      watched.current = null;
      // A refused import is an outcome the report explains, not a failure of the app.
      toast.show(`Import of ${job.data.filename ?? "the file"}: ${STATUS_TEXT[job.data.status]}`, { tone: job.data.status === "failed" ? "error" : "info" });
      void queryClient.invalidateQueries({ queryKey: ["contacts"] });
      void queryClient.invalidateQueries({ queryKey: ["organizations"] });
      void queryClient.invalidateQueries({ queryKey: ["import-jobs", "list"] });
    }
  }, [job.data, toast, queryClient]);

  return (
    <div className="page">
      <PageHeader
        title="Import contacts"
        subtitle={<Link to="/contacts">Back to contacts</Link>}
        actions={
          jobId ? (
            <Button onClick={() => setParams({})}>Import another file</Button>
          ) : undefined
        }
      />
      <div className="records-import">
        <div className="stack">
          {!jobId ? (
            <section className="card" aria-labelledby="upload-title">
              <div className="card__title">
                <h2 id="upload-title">Upload a CSV or XLSX</h2>
              </div>
              <UploadForm
                onStarted={(started) => {
                  queryClient.setQueryData(["import-jobs", started.id], started);
                  void queryClient.invalidateQueries({ queryKey: ["import-jobs", "list"] });
                  setParams({ job: started.id });
                }}
              />
            </section>
          ) : (
            <section className="card" aria-labelledby="job-title">
              <div className="card__title">
                <h2 id="job-title">Progress</h2>
              </div>
              {job.isPending ? <SkeletonRows rows={2} /> : job.isError ? <p className="form__error">This import could not be found.</p> : <JobProgress job={job.data} />}
            </section>
          )}
          {jobId && finished && (report.isLoading ? <SkeletonRows rows={4} /> : report.data ? <Report report={report.data} /> : null)}
        </div>
        <RecentJobs current={jobId} />
      </div>
    </div>
  );
}
