/**
 * Two people changed the same row's own fields (lead source, flags, a custom column): the
 * three-way merge of the row as this user read it (base), this user's change (mine) and the row
 * as it is now (theirs). As for cells (./conflict): a field only one side changed merges by itself;
 * a field both changed differently is kept, both values, until the user chooses.
 */
import type { GridRowRead, PivotRow, RowChanges } from "./types";

/** "lead_source", "flags", or "values.<column key>" */
export type RowField = "lead_source" | "flags" | `values.${string}`;

export interface RowFieldConflict {
  field: RowField;
  mine: unknown;
  theirs: unknown;
}

export interface RowConflict {
  rowId: string;
  /** the row's version now (theirs): the version the chosen changes are saved against */
  version: number;
  theirsBy: string;
  /** what merged by itself, sent with the choice */
  merged: RowChanges;
  conflicts: RowFieldConflict[];
}

type Side = Pick<GridRowRead, "lead_source" | "flags" | "values">;

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function read(side: Side, field: RowField): unknown {
  if (field === "lead_source") return side.lead_source;
  if (field === "flags") return side.flags;
  return side.values[field.slice("values.".length)];
}

/** The fields a change names, in a stable order. */
function fieldsOf(changes: RowChanges): RowField[] {
  const fields: RowField[] = [];
  if (changes.lead_source !== undefined) fields.push("lead_source");
  if (changes.flags !== undefined && changes.flags !== null) fields.push("flags");
  for (const key of Object.keys(changes.values ?? {})) fields.push(`values.${key}`);
  return fields;
}

function wanted(changes: RowChanges, field: RowField): unknown {
  if (field === "lead_source") return changes.lead_source;
  if (field === "flags") return changes.flags;
  return changes.values?.[field.slice("values.".length)];
}

function put(changes: RowChanges, field: RowField, value: unknown): RowChanges {
  if (field === "lead_source") return { ...changes, lead_source: (value as string | null) ?? null };
  if (field === "flags") return { ...changes, flags: (value as string[] | null) ?? [] };
  return { ...changes, values: { ...(changes.values ?? {}), [field.slice("values.".length)]: value ?? null } };
}

export function mergeRow(base: PivotRow, mine: RowChanges, theirs: GridRowRead): { merged: RowChanges; conflicts: RowFieldConflict[] } {
  let merged: RowChanges = {};
  const conflicts: RowFieldConflict[] = [];
  for (const field of fieldsOf(mine)) {
    const value = wanted(mine, field);
    const now = read(theirs, field);
    if (same(value, now)) continue;
    if (same(read(base, field), now)) merged = put(merged, field, value);
    else conflicts.push({ field, mine: value, theirs: now });
  }
  if (mine.position !== undefined) merged = { ...merged, position: mine.position };
  return { merged, conflicts };
}

export type RowChoice = "mine" | "theirs";

/** The changes to send once the user chose per field (theirs unless they said mine). */
export function resolveRow(conflict: RowConflict, choices: Partial<Record<RowField, RowChoice>>): RowChanges {
  let changes = conflict.merged;
  for (const c of conflict.conflicts) if (choices[c.field] === "mine") changes = put(changes, c.field, c.mine);
  return changes;
}

export function hasRowChanges(changes: RowChanges): boolean {
  return Object.values(changes).some((v: unknown) => v !== undefined);
}

/** A value as the panel shows it. */
export function rowValueText(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (Array.isArray(value)) return value.length ? value.map(String).join(", ") : "—";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}
