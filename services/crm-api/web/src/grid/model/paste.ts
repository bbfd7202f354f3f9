/**
 * A pasted rectangle as one batch of edits (POST /api/grid/batches): each fund cell an operation
 * with the version it was read at, each row's custom values, lead source and flags merged into
 * one row operation (a batch may edit a target once). A single value pasted over a selected range
 * fills the range, as in a spreadsheet.
 */
import { type ColumnSpec, parseInput, type Stage } from "./columns";
import type { Range } from "./selection";
import { toCellChanges, type AmountField, type BatchOperation, type CellEdit, type PivotRow, type RowChanges } from "./types";

export interface PasteTarget {
  rows: readonly PivotRow[];
  specs: readonly ColumnSpec[];
  amountField: AmountField;
  stages: readonly Stage[];
}

export interface PastePlan {
  operations: BatchOperation[];
  cells: { rowId: string; fundId: string; changes: CellEdit }[];
  rows: { rowId: string; changes: RowChanges }[];
  errors: string[];
  skipped: number;
  /** the range the paste covers, to select afterwards */
  range: Range;
}

export function planPaste(matrix: string[][], selection: Range, target: PasteTarget): PastePlan {
  const single = matrix.length === 1 && matrix[0]?.length === 1;
  const height = single ? selection.bottom - selection.top + 1 : matrix.length;
  const width = single ? selection.right - selection.left + 1 : Math.max(0, ...matrix.map((line) => line.length));
  const bottom = Math.min(target.rows.length - 1, selection.top + height - 1);
  const right = Math.min(target.specs.length - 1, selection.left + width - 1);
  const plan: PastePlan = {
    operations: [],
    cells: [],
    rows: [],
    errors: [],
    skipped: 0,
    range: { top: selection.top, left: selection.left, bottom, right },
  };
  const rowChanges = new Map<string, RowChanges>();
  for (let r = selection.top; r <= bottom; r++) {
    const row = target.rows[r];
    if (!row) continue;
    for (let c = selection.left; c <= right; c++) {
      const spec = target.specs[c];
      const text = single ? (matrix[0]?.[0] ?? "") : (matrix[r - selection.top]?.[c - selection.left] ?? "");
      if (!spec) continue;
      if (!spec.editable) {
        plan.skipped++;
        continue;
      }
      const cell = spec.fundId ? row.cells[spec.fundId] : undefined;
      const parsed = parseInput(text, spec, target.amountField, target.stages, cell);
      if (parsed.kind === "error") {
        plan.errors.push(`${row.investor.name}, ${spec.label}: ${parsed.message}`);
      } else if (parsed.kind === "cell" && spec.fundId) {
        plan.cells.push({ rowId: row.id, fundId: spec.fundId, changes: parsed.changes });
        plan.operations.push(cellOperation(row, spec.fundId, parsed.changes));
      } else if (parsed.kind === "row") {
        const merged = mergeRowChanges(rowChanges.get(row.id), parsed.changes);
        rowChanges.set(row.id, merged);
      } else {
        plan.skipped++;
      }
    }
  }
  for (const [rowId, changes] of rowChanges) {
    const row = target.rows.find((candidate) => candidate.id === rowId);
    if (!row) continue;
    plan.rows.push({ rowId, changes });
    plan.operations.push({ type: "row", row_id: rowId, version: row.version, changes });
  }
  return plan;
}

function mergeRowChanges(a: RowChanges | undefined, b: RowChanges): RowChanges {
  if (!a) return b;
  return { ...a, ...b, values: a.values || b.values ? { ...a.values, ...b.values } : undefined };
}

/** A cell edit as a batch operation, from the version the row shows (0: an empty cell). */
export function cellOperation(row: PivotRow, fundId: string, changes: CellEdit): BatchOperation {
  return { type: "cell", row_id: row.id, fund_id: fundId, version: row.cells[fundId]?.version ?? 0, changes: toCellChanges(changes) };
}
