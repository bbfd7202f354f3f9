/**
 * Field-level differences between two states of a record, for the people deciding on a change:
 * a proposal's preview, an audit entry, a restore. Pure, so it is tested without a browser.
 */
export type DiffKind = "added" | "removed" | "changed" | "same";

export interface DiffRow {
  field: string;
  before: unknown;
  after: unknown;
  kind: DiffKind;
}

/** Book-keeping fields every record carries; they change on every write and say nothing. */
export const NOISE_FIELDS: ReadonlySet<string> = new Set([
  "version",
  "created_at",
  "updated_at",
  "created_by",
  "updated_by",
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Deep equality for JSON values (what the API sends). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) if (!jsonEqual(a[key], b[key])) return false;
    return true;
  }
  return false;
}

/**
 * One row per field of either side, in the order the record lists them (after's first). A field
 * missing on one side, or null there while set on the other, counts as added or removed.
 */
export function diffRecords(
  before: Record<string, unknown> | null | undefined,
  after: Record<string, unknown> | null | undefined,
  options: { hideNoise?: boolean; onlyChanged?: boolean } = {},
): DiffRow[] {
  const left = before ?? {};
  const right = after ?? {};
  const fields = [...new Set([...Object.keys(right), ...Object.keys(left)])];
  const rows: DiffRow[] = [];
  for (const field of fields) {
    if (options.hideNoise && NOISE_FIELDS.has(field)) continue;
    const was = left[field];
    const now = right[field];
    let kind: DiffKind;
    if (jsonEqual(was, now)) kind = "same";
    else if (was === undefined || was === null) kind = "added";
    else if (now === undefined || now === null) kind = "removed";
    else kind = "changed";
    if (options.onlyChanged && kind === "same") continue;
    rows.push({ field, before: was, after: now, kind });
  }
  return rows;
}

/** The audit log's `{field: [old, new]}` as diff rows. */
export function rowsFromChanges(changes: Record<string, unknown> | null | undefined): DiffRow[] {
  if (!changes) return [];
  return Object.entries(changes).map(([field, pair]) => {
    const [was, now] = Array.isArray(pair) ? [pair[0] as unknown, pair[1] as unknown] : [undefined, pair];
    const kind: DiffKind =
      was === undefined || was === null ? "added" : now === undefined || now === null ? "removed" : "changed";
    return { field, before: was, after: now, kind };
  });
}

/** A value as one line of text: never markup, never "[object Object]". */
export function displayValue(value: unknown): string {
  if (value === undefined || value === null || value === "") return "—";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** "primary_email" → "Primary email". */
export function fieldLabel(field: string): string {
  const words = field.replace(/_/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
