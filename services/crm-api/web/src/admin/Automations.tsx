/**
 * Automation rules of the fundraising grid: list, switch on and off, edit, dry-run, run now, and
 * the record of every run with its changes.
 */
import "./ui/admin.css";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Fragment, useState } from "react";

import { api, unwrap } from "../api/client";
import { ApiError } from "../api/problem";
import type { components } from "../api/schema";
import { formatDateTime, formatNumber, formatRelative } from "../lib/format";
import { Button } from "../ui/Button";
import { Dialog } from "../ui/Dialog";
import { Badge, EmptyState, PageHeader, SkeletonRows } from "../ui/Feedback";
import { SelectField, TextArea, TextField } from "../ui/Field";
import { useToast } from "../ui/toast";
import { describeAction, describeCondition, describeSchedule, errorsByRoot, parseJson } from "./rules";
import { ConfirmDialog } from "./ui/ConfirmDialog";
import { displayValue } from "./ui/diff";
import { useCursorPages, useListParams } from "./ui/listState";
import { Pager } from "./ui/Pager";
import { SavedViews } from "../views/SavedViews";
import { ErrorState, problemText, RequireAdmin } from "./ui/States";

type Rule = components["schemas"]["GridRuleRead"];
type RuleCreate = components["schemas"]["GridRuleCreate"];
type Run = components["schemas"]["RuleRunRead"];

const TRIGGER_LABEL: Record<Run["trigger"], string> = {
  change: "on a change",
  schedule: "on schedule",
  manual: "by hand",
  dry_run: "dry run",
};

function RunSummary({ run }: { run: Run }) {
  return (
    <div className="stack">
      <div className={run.status === "ok" ? "callout" : "callout callout--bad"} role="status">
        <div className="callout__title">
          {run.is_dry_run ? "Dry run: nothing was written. " : ""}
          {formatNumber(run.rows_matched)} of {formatNumber(run.rows_evaluated)} rows matched; {formatNumber(run.changes.length)}{" "}
          {run.changes.length === 1 ? "change" : "changes"}
          {run.is_dry_run ? " would be made" : " made"}.
        </div>
        {run.error && <div>{run.error}</div>}
      </div>
      {run.changes.length > 0 && (
        <div className="table-wrap" style={{ maxHeight: "20rem" }}>
          <table className="table">
            <caption className="visually-hidden">Changes of the run</caption>
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Before</th>
                <th scope="col">After</th>
              </tr>
            </thead>
            <tbody>
              {run.changes.map((change, index) => (
                <tr key={`${change.row_id}-${change.action}-${change.target}-${index}`}>
                  <td className="mono" title={change.row_id}>
                    …{change.row_id.slice(-6)}
                  </td>
                  <td>{change.action.replace(/_/g, " ")}</td>
                  <td>{change.target}</td>
                  <td>{displayValue(change.before)}</td>
                  <td>{displayValue(change.after)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

interface Draft {
  name: string;
  description: string;
  is_active: boolean;
  on_change: boolean;
  schedule_seconds: string;
  condition: string;
  actions: string;
  otherwise: string;
}

function draftOf(rule: Rule | null): Draft {
  return {
    name: rule?.name ?? "",
    description: rule?.description ?? "",
    is_active: rule?.is_active ?? true,
    on_change: rule?.on_change ?? true,
    schedule_seconds: rule?.schedule_seconds?.toString() ?? "",
    condition: JSON.stringify(rule?.condition ?? { field: "flag.follow_up" }, null, 2),
    actions: JSON.stringify(rule?.actions ?? [{ type: "add_to_list", list: "follow_up" }], null, 2),
    otherwise: JSON.stringify(rule?.otherwise ?? [], null, 2),
  };
}

function RuleEditor({ rule, onClose }: { rule: Rule | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [draft, setDraft] = useState<Draft>(() => draftOf(rule));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [trial, setTrial] = useState<Run | null>(null);

  /** The typed JSON, or the errors that keep it from being sent. */
  const parsed = () => {
    const condition = parseJson(draft.condition);
    const actions = parseJson(draft.actions, []);
    const otherwise = parseJson(draft.otherwise, []);
    const local: Record<string, string> = {};
    if (!condition.ok) local.condition = condition.error;
    if (!actions.ok) local.actions = actions.error;
    if (!otherwise.ok) local.otherwise = otherwise.error;
    if (Object.keys(local).length || !condition.ok || !actions.ok || !otherwise.ok) {
      setErrors(local);
      return null;
    }
    // The server validates the shape (422 on the field); here it only has to be JSON.
    return {
      condition: condition.value as RuleCreate["condition"],
      actions: actions.value as NonNullable<RuleCreate["actions"]>,
      otherwise: otherwise.value as NonNullable<RuleCreate["otherwise"]>,
    };
  };

  const onError = (error: Error) => {
    const fields = error instanceof ApiError ? errorsByRoot(error.fieldErrors()) : {};
    setErrors(fields);
    setFormError(Object.keys(fields).length ? null : problemText(error));
  };

  const save = useMutation({
    mutationFn: (json: NonNullable<ReturnType<typeof parsed>>) => {
      const body = {
        ...json,
        name: draft.name.trim(),
        description: draft.description,
        is_active: draft.is_active,
        on_change: draft.on_change,
        schedule_seconds: draft.schedule_seconds.trim() ? Number(draft.schedule_seconds) : null,
      };
      return rule
        ? unwrap(
            api.PATCH("/api/grid/rules/{rule_id}", {
              params: { path: { rule_id: rule.id }, header: { "If-Match": `"${rule.version}"` } },
              body,
            }),
          )
        : unwrap(api.POST("/api/grid/rules", { body }));
    },
    onSuccess: (saved) => {
      toast.show(rule ? `Rule “${saved.name}” saved; it runs over every row now` : `Rule “${saved.name}” created`);
      void queryClient.invalidateQueries({ queryKey: ["grid", "rules"] });
      void queryClient.invalidateQueries({ queryKey: ["grid", "rule-runs"] });
      onClose();
    },
    onError,
  });

  const tryIt = useMutation({
    mutationFn: (json: NonNullable<ReturnType<typeof parsed>>) => unwrap(api.POST("/api/grid/rules/dry-run", { body: json })),
    onSuccess: (run) => {
      setErrors({});
      setFormError(null);
      setTrial(run);
    },
    onError,
  });

  const text = (name: "name" | "description" | "schedule_seconds" | "condition" | "actions" | "otherwise") => ({
    value: draft[name],
    onChange: (event: { target: { value: string } }) => setDraft((d) => ({ ...d, [name]: event.target.value })),
    error: errors[name],
  });

  return (
    <Dialog open title={rule ? `Edit “${rule.name}”` : "New rule"} onClose={onClose}>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          const json = parsed();
          if (json) save.mutate(json);
        }}
      >
        <TextField label="Name" required maxLength={200} {...text("name")} />
        <TextArea label="What it is for" rows={2} maxLength={20000} {...text("description")} />
        <div className="form__row">
          <label className="check">
            <input type="checkbox" checked={draft.is_active} onChange={(e) => setDraft((d) => ({ ...d, is_active: e.target.checked }))} />
            Active
          </label>
          <label className="check">
            <input type="checkbox" checked={draft.on_change} onChange={(e) => setDraft((d) => ({ ...d, on_change: e.target.checked }))} />
            Run when a row changes
          </label>
          <TextField label="Also every (seconds)" type="number" min={60} placeholder="not scheduled" {...text("schedule_seconds")} />
        </div>
        <TextArea
          label="Condition (JSON)"
          rows={5}
          className="textarea mono"
          spellCheck={false}
          hint='e.g. {"all": [{"field": "days_since_last_touch", "op": "gt", "value": 90}]}'
          {...text("condition")}
        />
        <TextArea label="Then (actions, JSON list)" rows={4} className="textarea mono" spellCheck={false} {...text("actions")} />
        <TextArea label="Otherwise (actions, JSON list)" rows={3} className="textarea mono" spellCheck={false} {...text("otherwise")} />
        {formError && (
          <div className="form__error" role="alert">
            {formError}
          </div>
        )}
        {trial && <RunSummary run={trial} />}
        <div className="form__actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button
            disabled={tryIt.isPending}
            onClick={() => {
              const json = parsed();
              if (json) tryIt.mutate(json);
            }}
          >
            {tryIt.isPending ? "Trying…" : "Dry run"}
          </Button>
          <Button type="submit" variant="primary" disabled={save.isPending}>
            {save.isPending ? "Saving…" : "Save rule"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function RuleCard({ rule, onEdit }: { rule: Rule; onEdit: () => void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [result, setResult] = useState<Run | null>(null);
  const [confirmRun, setConfirmRun] = useState(false);
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ["grid", "rules"] });
    void queryClient.invalidateQueries({ queryKey: ["grid", "rule-runs"] });
  };
  const toggle = useMutation({
    mutationFn: (active: boolean) =>
      unwrap(
        api.PATCH("/api/grid/rules/{rule_id}", {
          params: { path: { rule_id: rule.id }, header: { "If-Match": `"${rule.version}"` } },
          body: { is_active: active },
        }),
      ),
    onSuccess: (saved) => {
      toast.show(saved.is_active ? `“${saved.name}” is on` : `“${saved.name}” is paused`);
      refresh();
    },
    onError: (error) => toast.show(problemText(error), { tone: "error" }),
  });
  const dry = useMutation({
    mutationFn: () => unwrap(api.POST("/api/grid/rules/{rule_id}/dry-run", { params: { path: { rule_id: rule.id } }, body: {} })),
    onSuccess: (run) => {
      setResult(run);
      refresh();
    },
    onError: (error) => toast.show(problemText(error), { tone: "error" }),
  });
  const run = useMutation({
    mutationFn: () => unwrap(api.POST("/api/grid/rules/{rule_id}/run", { params: { path: { rule_id: rule.id } }, body: {} })),
    onSuccess: (done) => {
      setConfirmRun(false);
      setResult(done);
      toast.show(`“${rule.name}” ran: ${formatNumber(done.changes.length)} changes`);
      refresh();
    },
    onError: (error) => toast.show(problemText(error), { tone: "error" }),
  });
  const schedule = describeSchedule(rule.schedule_seconds ?? null);
  return (
    <li className="card stack">
      <div className="row" style={{ justifyContent: "space-between" }}>
        <div className="row">
          <h3>{rule.name}</h3>
          {rule.is_builtin && <Badge>built in</Badge>}
          <Badge tone={rule.is_active ? "success" : "neutral"}>{rule.is_active ? "on" : "paused"}</Badge>
        </div>
        <div className="row">
          <label className="check">
            <input
              type="checkbox"
              checked={rule.is_active}
              disabled={toggle.isPending}
              onChange={(event) => toggle.mutate(event.target.checked)}
            />
            Active<span className="visually-hidden"> — {rule.name}</span>
          </label>
          <Button small onClick={() => dry.mutate()} disabled={dry.isPending} aria-label={`Dry run ${rule.name}`}>
            {dry.isPending ? "Trying…" : "Dry run"}
          </Button>
          <Button small onClick={() => setConfirmRun(true)} aria-label={`Run now: ${rule.name}`}>
            Run now
          </Button>
          <Button small variant="ghost" onClick={onEdit} aria-label={`Edit ${rule.name}`}>
            Edit
          </Button>
        </div>
      </div>
      {rule.description && <p className="muted">{rule.description}</p>}
      <dl className="kv">
        <dt>When</dt>
        <dd>{describeCondition(rule.condition)}</dd>
        <dt>Then</dt>
        <dd>{rule.actions.length ? rule.actions.map(describeAction).join("; ") : "nothing"}</dd>
        {rule.otherwise.length > 0 && (
          <>
            <dt>Otherwise</dt>
            <dd>{rule.otherwise.map(describeAction).join("; ")}</dd>
          </>
        )}
        <dt>Runs</dt>
        <dd>{[rule.on_change ? "when a row changes" : null, schedule].filter(Boolean).join(", ") || "only by hand"}</dd>
      </dl>
      {result && (
        <div className="stack">
          <RunSummary run={result} />
          <div>
            <Button small variant="ghost" onClick={() => setResult(null)}>
              Hide result
            </Button>
          </div>
        </div>
      )}
      <ConfirmDialog
        open={confirmRun}
        title={`Run “${rule.name}” now?`}
        confirmLabel="Run over every row"
        busy={run.isPending}
        onConfirm={() => run.mutate()}
        onClose={() => setConfirmRun(false)}
      >
        <p>It applies its actions to every row that matches. A dry run first shows what would change.</p>
      </ConfirmDialog>
    </li>
  );
}

function Runs({ rules }: { rules: Rule[] }) {
  const { values, set, replaceAll } = useListParams({ rule_id: "", trigger: "", changed: "" });
  const pages = useCursorPages<string>(JSON.stringify(values));
  const [open, setOpen] = useState<string | null>(null);
  const names = new Map(rules.map((rule) => [rule.id, rule.name]));
  const query = useQuery({
    queryKey: ["grid", "rule-runs", values, pages.cursor],
    queryFn: () =>
      unwrap(
        api.GET("/api/grid/rule-runs", {
          params: {
            query: {
              rule_id: values.rule_id || null,
              trigger: (values.trigger || null) as Run["trigger"] | null,
              changed: values.changed === "" ? null : values.changed === "yes",
              before: pages.cursor,
              limit: 25,
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });
  const items = query.data?.items ?? [];
  return (
    <section className="stack" aria-labelledby="runs-title">
      <h2 id="runs-title">Runs</h2>
      <div className="filters" role="search" aria-label="Filter runs">
        <SelectField
          label="Rule"
          value={values.rule_id}
          options={[{ value: "", label: "Any rule" }, ...rules.map((rule) => ({ value: rule.id, label: rule.name }))]}
          onChange={(e) => set({ rule_id: e.target.value })}
        />
        <SelectField
          label="Trigger"
          value={values.trigger}
          options={[{ value: "", label: "Any" }, ...Object.entries(TRIGGER_LABEL).map(([value, label]) => ({ value, label }))]}
          onChange={(e) => set({ trigger: e.target.value })}
        />
        <SelectField
          label="Changed something"
          value={values.changed}
          options={[
            { value: "", label: "Either" },
            { value: "yes", label: "Yes" },
            { value: "no", label: "No" },
          ]}
          onChange={(e) => set({ changed: e.target.value })}
        />
        <SavedViews list="rule-runs" params={values} onApply={replaceAll} />
      </div>
      {query.isPending ? (
        <SkeletonRows rows={5} />
      ) : query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="No runs match">
          <p>Rules run when rows change, on their schedule, or when you press Run now.</p>
        </EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Rule runs, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Rule</th>
                  <th scope="col">Trigger</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Rows matched
                  </th>
                  <th scope="col" className="num">
                    Changes
                  </th>
                  <th scope="col">
                    <span className="visually-hidden">Details</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((run) => (
                  <Fragment key={run.id}>
                    <tr>
                      <td title={formatDateTime(run.started_at)}>{formatRelative(run.started_at)}</td>
                      <td>{run.rule_id ? (names.get(run.rule_id) ?? run.rule_id) : "draft"}</td>
                      <td>{TRIGGER_LABEL[run.trigger]}</td>
                      <td>
                        <Badge tone={run.status === "ok" ? "success" : "danger"}>{run.status}</Badge>
                      </td>
                      <td className="num">
                        {formatNumber(run.rows_matched)} / {formatNumber(run.rows_evaluated)}
                      </td>
                      <td className="num">{formatNumber(run.changes.length)}</td>
                      <td>
                        {(run.changes.length > 0 || run.error) && (
                          <button
                            type="button"
                            className="expander"
                            aria-expanded={open === run.id}
                            onClick={() => setOpen(open === run.id ? null : run.id)}
                          >
                            {open === run.id ? "Hide" : "Changes"}
                          </button>
                        )}
                      </td>
                    </tr>
                    {open === run.id && (
                      <tr className="detail-row">
                        <td colSpan={7}>
                          <RunSummary run={run} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
          <Pager
            page={pages.page}
            hasPrev={pages.hasPrev}
            nextCursor={query.data.next_before}
            shown={items.length}
            onPrev={pages.prev}
            onNext={pages.next}
          />
        </>
      )}
    </section>
  );
}

function AutomationsScreen() {
  const rules = useQuery({ queryKey: ["grid", "rules"], queryFn: () => unwrap(api.GET("/api/grid/rules")) });
  const [editing, setEditing] = useState<Rule | "new" | null>(null);
  const items = [...(rules.data?.items ?? [])].sort((a, b) => a.position - b.position);
  return (
    <div className="page ops-page">
      <PageHeader
        title="Automations"
        subtitle="Rules that keep the fundraising grid's lists and flags up to date. Try one with a dry run before it runs for real."
        actions={
          <Button variant="primary" onClick={() => setEditing("new")}>
            New rule
          </Button>
        }
      />
      {rules.isPending ? (
        <SkeletonRows rows={6} />
      ) : rules.isError ? (
        <ErrorState error={rules.error} onRetry={() => void rules.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="No rules yet">
          <p>Add a rule to put investors on a list or flag them when something about them changes.</p>
        </EmptyState>
      ) : (
        <ul className="stack" style={{ listStyle: "none", margin: 0, padding: 0 }} aria-label="Rules">
          {items.map((rule) => (
            <RuleCard key={rule.id} rule={rule} onEdit={() => setEditing(rule)} />
          ))}
        </ul>
      )}
      <Runs rules={items} />
      {editing && <RuleEditor rule={editing === "new" ? null : editing} onClose={() => setEditing(null)} />}
    </div>
  );
}

export default function Automations() {
  return (
    <RequireAdmin what="Automation rules">
      <AutomationsScreen />
    </RequireAdmin>
  );
}
