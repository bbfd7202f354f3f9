/**
 * Sorting the loaded rows on the client (every row is loaded), and the same sort as a saved
 * view's `sorts` (docs/grid.md: condition paths) so that the server orders a saved view alike.
 */
import { toCents } from "./decimal";
import type { ColumnSpec } from "./columns";
import type { AmountField, PivotRow } from "./types";

export interface SortEntry {
  id: string;
  desc: boolean;
}

/** The value a column sorts by; undefined sorts last. */
export function sortValue(row: PivotRow, spec: ColumnSpec, amountField: AmountField): string | number | undefined {
  switch (spec.kind) {
    case "investor":
      return row.investor.name.toLocaleLowerCase();
    case "fund": {
      const cents = toCents(spec.fundId ? (row.cells[spec.fundId]?.[amountField] ?? null) : null);
      return cents === null ? undefined : Number(cents);
    }
    case "custom": {
      const value = row.values[spec.key ?? ""];
      if (value === null || value === undefined) return undefined;
      return typeof value === "number" ? value : JSON.stringify(value).toLocaleLowerCase();
    }
    case "field":
      switch (spec.ref) {
        case "field:lead_source":
          return row.lead_source?.toLocaleLowerCase() ?? undefined;
        case "field:last_touch_at":
          return row.last_touch_at ?? undefined;
        case "field:flags":
          return row.flags.join(",") || undefined;
        case "field:lists":
          return row.lists.join(",") || undefined;
        default:
          return undefined;
      }
  }
}

/** A column's sort as a view's sort path; null for a column a view cannot sort by. */
export function sortPath(spec: ColumnSpec, amountField: AmountField): string | null {
  switch (spec.kind) {
    case "investor":
      return "name";
    case "fund":
      return spec.fundId ? `fund.${spec.fundId}.${amountField}` : null;
    case "custom":
      return spec.key ? `values.${spec.key}` : null;
    case "field":
      if (spec.ref === "field:lead_source") return "lead_source";
      if (spec.ref === "field:last_touch_at") return "last_touch_at";
      return null;
  }
}

export function toViewSorts(sorting: readonly SortEntry[], specs: readonly ColumnSpec[], amountField: AmountField): { field: string; direction: "asc" | "desc" }[] {
  const sorts: { field: string; direction: "asc" | "desc" }[] = [];
  for (const entry of sorting) {
    const spec = specs.find((s) => s.ref === entry.id);
    const path = spec ? sortPath(spec, amountField) : null;
    if (path) sorts.push({ field: path, direction: entry.desc ? "desc" : "asc" });
  }
  return sorts.slice(0, 5);
}

/** Click on a header: ascending, then descending, then unsorted (Shift adds a second key). */
export function nextSorting(sorting: readonly SortEntry[], id: string, add: boolean): SortEntry[] {
  const current = sorting.find((entry) => entry.id === id);
  const others = add ? sorting.filter((entry) => entry.id !== id) : [];
  if (!current) return [...others, { id, desc: false }];
  if (!current.desc) return [...others, { id, desc: true }];
  return others;
}
