/**
 * Beside the grid, the active cell in full: its opportunity's stage and amounts as a form (the
 * server's field errors shown on the fields, what was typed kept), a conflict with both values
 * and the choice of which to keep, and an agent's pending proposal to accept or reject there.
 */
import { useState, type SyntheticEvent } from "react";

import { ApiError } from "../api/problem";
import { formatMoney } from "../lib/format";
import { Button } from "../ui/Button";
import { Badge, EmptyState, UntrustedBadge } from "../ui/Feedback";
import { SelectField, TextField } from "../ui/Field";
import { type ColumnSpec, type Stage, displayText } from "./model/columns";
import { MERGED_FIELDS, merge3, resolve, type Choice, type MergedField } from "./model/conflict";
import { resolveRow, rowValueText, type RowChoice, type RowConflict, type RowField } from "./model/rowConflict";
import type { CellConflict } from "./model/state";
import type { AmountField, CellEdit, PivotCell, PivotRow, Proposal, RowChanges } from "./model/types";

const FIELD_LABEL: Record<MergedField, string> = {
  stage: "Stage",
  expected_amount: "Expected",
  committed_amount: "Committed",
  funded_amount: "Funded",
  currency: "Currency",
};

function fieldValue(field: MergedField, value: string | null | undefined, currency: string, stages: readonly Stage[]): string {
  if (value === null || value === undefined) return "—";
  if (field === "stage") return stages.find((s) => s.value === value)?.label ?? value;
  if (field === "currency") return value;
  return formatMoney(value, currency);
}

function ConflictPanel({
  conflict,
  where,
  stages,
  onResolve,
}: {
  conflict: CellConflict;
  where: string;
  stages: readonly Stage[];
  onResolve: (changes: CellEdit | null) => void;
}) {
  const merge = merge3(conflict.base, conflict.mine, conflict.theirs);
  const [choices, setChoices] = useState<Partial<Record<MergedField, Choice>>>({});
  const currency = conflict.theirs?.currency ?? conflict.base?.currency ?? "USD";
  const rows = merge.conflicts.length > 0 ? merge.conflicts : MERGED_FIELDS.filter((f) => conflict.mine[f] !== undefined).map((field) => ({ field, base: null, mine: conflict.mine[field] ?? null, theirs: conflict.theirs?.[field] ?? null }));
  return (
    <section className="inspector__section inspector__section--conflict" aria-label={`Two values for ${where}`} data-testid="conflict">
      <h3>Two values for {where}</h3>
      <p className="muted">
        {conflict.theirsBy ?? "Someone"} changed it while you edited. Nothing is lost: choose what to keep.
      </p>
      {merge.clearConflict && <p>You emptied the cell; they changed it.</p>}
      {rows.map((row) => (
        <fieldset key={row.field} className="conflict-field">
          <legend>{FIELD_LABEL[row.field]}</legend>
          {(["mine", "theirs"] as const).map((side) => (
            <label key={side} className="conflict-choice">
              <input
                type="radio"
                name={`conflict-${conflict.rowId}-${conflict.fundId}-${row.field}`}
                checked={(choices[row.field] ?? "mine") === side}
                onChange={() => setChoices((all) => ({ ...all, [row.field]: side }))}
              />
              <span className="conflict-choice__who">{side === "mine" ? "Yours" : `${conflict.theirsBy ?? "Theirs"}’s`}</span>
              <span className="num conflict-choice__value" data-testid={`conflict-${side}`}>
                {fieldValue(row.field, side === "mine" ? row.mine : row.theirs, currency, stages)}
              </span>
            </label>
          ))}
        </fieldset>
      ))}
      <div className="form__actions">
        <Button onClick={() => onResolve(null)}>Keep theirs</Button>
        <Button
          variant="primary"
          onClick={() => {
            if (merge.clearConflict) {
              onResolve({ clear: true });
              return;
            }
            const all: Partial<Record<MergedField, Choice>> = {};
            for (const row of rows) all[row.field] = choices[row.field] ?? "mine";
            onResolve(resolve({ ...merge, conflicts: merge.conflicts.length > 0 ? merge.conflicts : rows }, all));
          }}
        >
          Save my choice
        </Button>
      </div>
    </section>
  );
}

function RowConflictPanel({
  conflict,
  where,
  label,
  onResolve,
}: {
  conflict: RowConflict;
  where: string;
  label: (field: RowField) => string;
  onResolve: (changes: RowChanges | null) => void;
}) {
  const [choices, setChoices] = useState<Partial<Record<RowField, RowChoice>>>({});
  return (
    <section className="inspector__section inspector__section--conflict" aria-label={`Two values for ${where}`} data-testid="row-conflict">
      <h3>Two values for {where}</h3>
      <p className="muted">{conflict.theirsBy} changed this investor's row while you edited. Nothing is lost: choose what to keep.</p>
      {conflict.conflicts.map((field) => (
        <fieldset key={field.field} className="conflict-field">
          <legend>{label(field.field)}</legend>
          {(["mine", "theirs"] as const).map((side) => (
            <label key={side} className="conflict-choice">
              <input
                type="radio"
                name={`row-conflict-${conflict.rowId}-${field.field}`}
                checked={(choices[field.field] ?? "mine") === side}
                onChange={() => setChoices((all) => ({ ...all, [field.field]: side }))}
              />
              <span className="conflict-choice__who">{side === "mine" ? "Yours" : `${conflict.theirsBy}’s`}</span>
              <span className="conflict-choice__value" data-testid={`row-conflict-${side}`}>
                {rowValueText(side === "mine" ? field.mine : field.theirs)}
              </span>
            </label>
          ))}
        </fieldset>
      ))}
      <div className="form__actions">
        <Button onClick={() => onResolve(null)}>Keep theirs</Button>
        <Button
          variant="primary"
          onClick={() => {
            const all: Partial<Record<RowField, RowChoice>> = {};
            for (const field of conflict.conflicts) all[field.field] = choices[field.field] ?? "mine";
            onResolve(resolveRow(conflict, all));
          }}
        >
          Save my choice
        </Button>
      </div>
    </section>
  );
}

function ProposalCard({
  proposal,
  stages,
  currency,
  busy,
  onDecide,
}: {
  proposal: Proposal;
  stages: readonly Stage[];
  currency: string;
  busy: boolean;
  onDecide: (decision: "approve" | "reject") => void;
}) {
  const params = proposal.params;
  const changes: string[] = [];
  if (typeof params.stage === "string") changes.push(`Stage → ${stages.find((s) => s.value === params.stage)?.label ?? params.stage}`);
  for (const field of ["expected_amount", "committed_amount", "funded_amount"] as const) {
    const value = params[field];
    if (typeof value === "string" || typeof value === "number") changes.push(`${FIELD_LABEL[field]} → ${formatMoney(value, currency)}`);
  }
  return (
    <article className="proposal" data-testid="proposal" aria-label="Pending agent proposal">
      <div className="row">
        <Badge tone="accent">pending</Badge>
        {proposal.untrusted && <UntrustedBadge />}
        <span className="muted">by {proposal.proposed_by_name ?? proposal.proposed_by_id}</span>
      </div>
      <ul className="proposal__changes">
        {changes.map((change) => (
          <li key={change}>{change}</li>
        ))}
      </ul>
      {proposal.reason && <p className="proposal__reason">{proposal.reason}</p>}
      <div className="form__actions">
        <Button disabled={busy} onClick={() => onDecide("reject")}>
          Reject
        </Button>
        <Button variant="primary" disabled={busy} onClick={() => onDecide("approve")}>
          Accept
        </Button>
      </div>
    </article>
  );
}

function CellForm({
  cell,
  spec,
  stages,
  onSave,
}: {
  cell: PivotCell | undefined;
  spec: ColumnSpec;
  stages: readonly Stage[];
  onSave: (changes: CellEdit) => Promise<ApiError | null>;
}) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [stage, setStage] = useState(cell?.stage ?? "lead");
  async function submit(event: SyntheticEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = (name: string) => {
      const value = data.get(name);
      return typeof value === "string" && value.trim() !== "" ? value.trim().replace(/[,\s$]/g, "") : null;
    };
    const changes: CellEdit = {
      stage,
      expected_amount: text("expected_amount"),
      committed_amount: text("committed_amount"),
      funded_amount: text("funded_amount"),
    };
    if (stage === "closed_lost") changes.lost_reason = text("lost_reason");
    setSaving(true);
    const error = await onSave(changes);
    setSaving(false);
    setErrors(error ? error.fieldErrors() : {});
    setProblem(error && Object.keys(error.fieldErrors()).length === 0 ? error.message : null);
  }
  return (
    <form className="form inspector__form" onSubmit={(event) => void submit(event)} aria-label={`Edit ${spec.label}`}>
      <SelectField label="Stage" value={stage} onChange={(event) => setStage(event.target.value)} options={stages} error={errors.stage} />
      <TextField label={`Expected (${spec.currency ?? ""})`} name="expected_amount" inputMode="decimal" defaultValue={cell?.expected_amount ?? ""} error={errors.expected_amount} />
      <TextField label={`Committed (${spec.currency ?? ""})`} name="committed_amount" inputMode="decimal" defaultValue={cell?.committed_amount ?? ""} error={errors.committed_amount} />
      <TextField label={`Funded (${spec.currency ?? ""})`} name="funded_amount" inputMode="decimal" defaultValue={cell?.funded_amount ?? ""} error={errors.funded_amount} />
      {stage === "closed_lost" && <TextField label="Lost reason" name="lost_reason" error={errors.lost_reason} />}
      {problem && (
        <div className="form__error" role="alert">
          {problem}
        </div>
      )}
      <div className="form__actions">
        <Button type="submit" variant="primary" disabled={saving}>
          {cell ? "Save cell" : "Add to fund"}
        </Button>
      </div>
    </form>
  );
}

export function CellInspector({
  row,
  spec,
  amountField,
  stages,
  cell,
  conflicts,
  rowConflicts = [],
  proposals,
  lockedBy,
  decidingId,
  onSave,
  onResolve,
  onResolveRow = () => undefined,
  onDecide,
}: {
  row: PivotRow | undefined;
  spec: ColumnSpec | undefined;
  amountField: AmountField;
  stages: readonly Stage[];
  cell: PivotCell | undefined;
  /** every open conflict, wherever the cursor is: neither value is lost while one is open */
  conflicts: readonly { key: string; where: string; conflict: CellConflict }[];
  /** every open conflict on a row's own fields (lead source, flags, custom columns) */
  rowConflicts?: readonly { where: string; label: (field: RowField) => string; conflict: RowConflict }[];
  proposals: readonly Proposal[];
  lockedBy: string | null;
  decidingId: string | null;
  onSave: (changes: CellEdit) => Promise<ApiError | null>;
  onResolve: (conflict: CellConflict, changes: CellEdit | null) => void;
  onResolveRow?: (conflict: RowConflict, changes: RowChanges | null) => void;
  onDecide: (proposal: Proposal, decision: "approve" | "reject") => void;
}) {
  const open = [
    ...conflicts.map(({ key, where, conflict }) => (
      <ConflictPanel key={`${key}-${conflict.theirs?.version ?? 0}`} conflict={conflict} where={where} stages={stages} onResolve={(changes) => onResolve(conflict, changes)} />
    )),
    ...rowConflicts.map(({ where, label, conflict }) => (
      <RowConflictPanel
        key={`row-${conflict.rowId}-${conflict.version}`}
        conflict={conflict}
        where={where}
        label={label}
        onResolve={(changes) => onResolveRow(conflict, changes)}
      />
    )),
  ];
  if (!row || !spec) {
    return (
      <aside className="inspector card" aria-label="Selected cell">
        {open}
        <EmptyState title="No cell selected">Pick a cell to see its details.</EmptyState>
      </aside>
    );
  }
  return (
    <aside className="inspector card" aria-labelledby="inspector-title" data-testid="inspector">
      <div>
        <h2 id="inspector-title" className="inspector__title">
          {row.investor.name}
        </h2>
        <div className="muted">
          {spec.label}
          {row.investor.kind === "contact" ? " · individual" : ""}
        </div>
      </div>
      {lockedBy && (
        <p className="inspector__lock" role="status">
          {lockedBy} is editing this cell.
        </p>
      )}
      {open}
      {proposals.length > 0 && (
        <section className="inspector__section" aria-labelledby="proposal-title">
          <h3 id="proposal-title">Agent proposals</h3>
          {proposals.map((proposal) => (
            <ProposalCard
              key={proposal.id}
              proposal={proposal}
              stages={stages}
              currency={cell?.currency ?? spec.currency ?? "USD"}
              busy={decidingId === proposal.id}
              onDecide={(decision) => onDecide(proposal, decision)}
            />
          ))}
        </section>
      )}
      {spec.kind === "fund" ? (
        <CellForm key={`${row.id}-${spec.ref}-${cell?.version ?? 0}`} cell={cell} spec={spec} stages={stages} onSave={onSave} />
      ) : (
        <section className="inspector__section">
          <p className="inspector__value">{displayText(row, spec, amountField) || <span className="muted">Empty</span>}</p>
          <p className="muted">{spec.editable ? "Press Enter in the grid to edit, or paste into it." : "Read-only here."}</p>
        </section>
      )}
      {row.notes.length > 0 && (
        <section className="inspector__section" aria-labelledby="notes-title">
          <h3 id="notes-title">Latest outreach</h3>
          <ul className="list">
            {row.notes.map((note) => (
              <li key={note.id} className="list__item inspector__note">
                <div>
                  <div className="list__title">{note.subject || note.type}</div>
                  {note.body && <div className="muted inspector__note-body">{note.body}</div>}
                </div>
              </li>
            ))}
          </ul>
        </section>
      )}
    </aside>
  );
}

export function conflictError(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 409;
}
