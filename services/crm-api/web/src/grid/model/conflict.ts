/**
 * Two people changed the same cell: a three-way merge of what this user read (base), what this
 * user changed (mine) and what the cell is now (theirs). A field only one side changed merges by
 * itself; a field both changed to different values is a conflict the user resolves, seeing both.
 */
import type { CellEdit, PivotCell } from "./types";

export const MERGED_FIELDS = ["stage", "expected_amount", "committed_amount", "funded_amount", "currency"] as const;
export type MergedField = (typeof MERGED_FIELDS)[number];

export interface FieldConflict {
  field: MergedField;
  base: string | null;
  mine: string | null;
  theirs: string | null;
}

export interface MergeResult {
  /** the changes still to send, on top of theirs */
  changes: CellEdit;
  /** fields both changed differently */
  conflicts: FieldConflict[];
  /** this user asked to empty the cell, and someone changed it meanwhile */
  clearConflict: boolean;
}

function value(cell: PivotCell | undefined, field: MergedField): string | null {
  return cell ? cell[field] : null;
}

export function merge3(base: PivotCell | undefined, mine: CellEdit, theirs: PivotCell | undefined): MergeResult {
  const changes: CellEdit = {};
  const conflicts: FieldConflict[] = [];
  if (mine.clear) {
    const untouched = MERGED_FIELDS.every((field) => value(base, field) === value(theirs, field));
    return untouched || !theirs ? { changes: { clear: true }, conflicts, clearConflict: false } : { changes: {}, conflicts, clearConflict: true };
  }
  for (const field of MERGED_FIELDS) {
    const wanted = mine[field];
    if (wanted === undefined) continue;
    const before = value(base, field);
    const now = value(theirs, field);
    if (wanted === now) continue;
    if (now === before) {
      changes[field] = wanted;
    } else {
      conflicts.push({ field, base: before, mine: wanted, theirs: now });
    }
  }
  // Fields the API takes that are not shown in the cell go along unchanged.
  for (const field of ["next_step", "lost_reason", "close_date"] as const) {
    if (mine[field] !== undefined) changes[field] = mine[field];
  }
  return { changes, conflicts, clearConflict: false };
}

export type Choice = "mine" | "theirs";

/** The changes to send once the user chose, per conflicting field, whose value to keep. */
export function resolve(merge: MergeResult, choices: Partial<Record<MergedField, Choice>>): CellEdit {
  const changes: CellEdit = { ...merge.changes };
  for (const conflict of merge.conflicts) {
    if ((choices[conflict.field] ?? "theirs") === "mine") {
      changes[conflict.field] = conflict.mine;
    }
  }
  return changes;
}

export function hasChanges(changes: CellEdit): boolean {
  return Object.values(changes).some((v: unknown) => v !== undefined);
}
