/**
 * The columns as the grid shows them: the investor first (the row header, always shown), then the
 * view's columns in its order. Each knows how to show a row's value, how to copy it as text and
 * how a typed or pasted text becomes an edit.
 */
import { formatDate, formatMoney } from "../../lib/format";
import { parseAmount } from "./decimal";
import type { AmountField, CellEdit, GridColumn, PivotCell, PivotRow, RowChanges } from "./types";

export type ColumnKind = "investor" | "fund" | "custom" | "field";

export interface ColumnSpec {
  ref: string;
  kind: ColumnKind;
  label: string;
  width: number;
  /** fund columns: the fund; custom columns: the key and type */
  fundId?: string;
  currency?: string;
  key?: string;
  type?: string;
  options?: readonly unknown[];
  editable: boolean;
}

const FIELD_WIDTH: Record<string, number> = {
  "field:contacts": 170,
  "field:lead_source": 130,
  "field:flags": 130,
  "field:lists": 160,
  "field:notes": 280,
  "field:last_touch_at": 130,
};
const EDITABLE_FIELDS = new Set(["field:lead_source", "field:flags"]);

export function columnSpecs(columns: readonly GridColumn[]): ColumnSpec[] {
  const specs: ColumnSpec[] = [{ ref: "field:investor", kind: "investor", label: "Investor", width: 240, editable: false }];
  for (const column of columns) {
    if (column.kind === "fund") {
      specs.push({
        ref: column.ref,
        kind: "fund",
        label: column.name,
        width: 180,
        fundId: column.fund_id,
        currency: column.currency,
        editable: true,
      });
    } else if (column.kind === "custom") {
      specs.push({
        ref: column.ref,
        kind: "custom",
        label: column.label,
        width: Math.max(100, Math.min(400, column.width ?? 140)),
        key: column.key,
        type: column.type,
        options: column.options,
        editable: true,
      });
    } else if (column.ref !== "field:investor") {
      specs.push({
        ref: column.ref,
        kind: "field",
        label: column.label,
        width: FIELD_WIDTH[column.ref] ?? 140,
        editable: EDITABLE_FIELDS.has(column.ref),
      });
    }
  }
  return specs;
}

export function amountOf(cell: PivotCell | undefined, field: AmountField): string | null {
  return cell ? cell[field] : null;
}

/** The text a row shows in a column (money in the user's locale). */
export function displayText(row: PivotRow, spec: ColumnSpec, amountField: AmountField, cell?: PivotCell): string {
  switch (spec.kind) {
    case "investor":
      return row.investor.name;
    case "fund": {
      if (!cell) return "";
      const amount = cell[amountField];
      return amount === null ? "" : formatMoney(amount, cell.currency);
    }
    case "custom":
      return valueText(row.values[spec.key ?? ""], spec.type);
    case "field":
      return fieldText(row, spec.ref);
  }
}

/** The text a copy puts on the clipboard: plain numbers, so that a spreadsheet reads them. */
export function copyText(row: PivotRow, spec: ColumnSpec, amountField: AmountField, cell?: PivotCell): string {
  if (spec.kind === "fund") return cell?.[amountField] ?? "";
  if (spec.kind === "field" && spec.ref === "field:last_touch_at") return row.last_touch_at ?? "";
  return displayText(row, spec, amountField, cell);
}

function valueText(value: unknown, type: string | undefined): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map(String).join("; ");
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (type === "date" && typeof value === "string") return formatDate(value);
  if (typeof value === "object") return JSON.stringify(value);
  return typeof value === "string" ? value : JSON.stringify(value);
}

function fieldText(row: PivotRow, ref: string): string {
  switch (ref) {
    case "field:contacts":
      return row.contacts.map((contact) => contact.name).join(", ");
    case "field:lead_source":
      return row.lead_source ?? "";
    case "field:flags":
      return row.flags.join("; ");
    case "field:lists":
      return row.lists.join(", ");
    case "field:notes":
      return row.notes.map((note) => note.subject || note.body).join(" · ");
    case "field:last_touch_at":
      return row.last_touch_at ? formatDate(row.last_touch_at) : "";
    default:
      return "";
  }
}

/** The text an editor starts with (unformatted, so it can be edited). */
export function editText(row: PivotRow, spec: ColumnSpec, amountField: AmountField, cell?: PivotCell): string {
  if (spec.kind === "custom") {
    const value = row.values[spec.key ?? ""];
    if (Array.isArray(value)) return value.map(String).join("; ");
    if (value === null || value === undefined) return "";
    if (typeof value === "object") return JSON.stringify(value);
    return typeof value === "string" ? value : JSON.stringify(value);
  }
  return copyText(row, spec, amountField, cell);
}

export type Parsed =
  | { kind: "cell"; changes: CellEdit }
  | { kind: "row"; changes: RowChanges }
  | { kind: "skip" }
  | { kind: "error"; message: string };

export interface Stage {
  value: string;
  label: string;
}

/**
 * A typed or pasted text as an edit of the column: an amount (or a stage's name) for a fund cell,
 * a typed value for a custom column, text for the lead source, `a; b` for flags.
 */
export function parseInput(text: string, spec: ColumnSpec, amountField: AmountField, stages: readonly Stage[], cell?: PivotCell): Parsed {
  const trimmed = text.trim();
  switch (spec.kind) {
    case "investor":
      return { kind: "skip" };
    case "fund": {
      const stage = stages.find((s) => s.value === trimmed.toLowerCase() || s.label.toLowerCase() === trimmed.toLowerCase());
      if (stage && trimmed !== "") return { kind: "cell", changes: { stage: stage.value } };
      const amount = parseAmount(trimmed);
      if (amount === undefined) return { kind: "error", message: `“${trimmed}” is not an amount or a stage` };
      if (amount === null) return cell ? { kind: "cell", changes: amountChange(amountField, null) } : { kind: "skip" };
      return { kind: "cell", changes: amountChange(amountField, amount) };
    }
    case "custom": {
      const value = customValue(trimmed, spec);
      if (value instanceof Error) return { kind: "error", message: value.message };
      return { kind: "row", changes: { values: { [spec.key ?? ""]: value } } };
    }
    case "field":
      if (spec.ref === "field:lead_source") return { kind: "row", changes: { lead_source: trimmed === "" ? null : trimmed } };
      if (spec.ref === "field:flags") {
        const flags = trimmed
          .split(/[;,]/)
          .map((flag) => flag.trim().toLowerCase().replace(/[\s-]+/g, "_"))
          .filter(Boolean);
        return { kind: "row", changes: { flags: [...new Set(flags)] } };
      }
      return { kind: "skip" };
  }
}

export function amountChange(field: AmountField, value: string | null): CellEdit {
  switch (field) {
    case "expected_amount":
      return { expected_amount: value };
    case "committed_amount":
      return { committed_amount: value };
    case "funded_amount":
      return { funded_amount: value };
  }
}

function customValue(text: string, spec: ColumnSpec): unknown {
  if (text === "") return null;
  switch (spec.type) {
    case "number": {
      const value = Number(text.replace(/,/g, ""));
      return Number.isFinite(value) ? value : new Error(`“${text}” is not a number`);
    }
    case "decimal": {
      const value = parseAmount(text);
      return value === undefined ? new Error(`“${text}” is not a number`) : value;
    }
    case "boolean":
      if (/^(yes|true|1|y|x)$/i.test(text)) return true;
      if (/^(no|false|0|n)$/i.test(text)) return false;
      return new Error(`“${text}” is not yes or no`);
    case "multiselect":
      return text
        .split(/[;,]/)
        .map((part) => part.trim())
        .filter(Boolean);
    default:
      return text;
  }
}

/** A pending change laid over a cell, for the optimistic display. */
export function overlayCell(cell: PivotCell | undefined, changes: CellEdit | undefined, currency?: string): PivotCell | undefined {
  if (!changes) return cell;
  if (changes.clear) return undefined;
  const base: PivotCell = cell ?? {
    opportunity_id: "",
    version: 0,
    stage: "lead",
    expected_amount: null,
    committed_amount: null,
    funded_amount: null,
    currency: currency ?? "USD",
  };
  return {
    ...base,
    stage: changes.stage ?? base.stage,
    expected_amount: changes.expected_amount !== undefined ? changes.expected_amount : base.expected_amount,
    committed_amount: changes.committed_amount !== undefined ? changes.committed_amount : base.committed_amount,
    funded_amount: changes.funded_amount !== undefined ? changes.funded_amount : base.funded_amount,
    currency: changes.currency ?? base.currency,
  };
}

/** A pending row change laid over a row. */
export function overlayRow(row: PivotRow, changes: RowChanges | undefined): PivotRow {
  if (!changes) return row;
  const values = { ...row.values };
  for (const [key, value] of Object.entries(changes.values ?? {})) {
    if (value === null) Reflect.deleteProperty(values, key);
    else values[key] = value;
  }
  return {
    ...row,
    flags: changes.flags ?? row.flags,
    lead_source: changes.lead_source !== undefined ? changes.lead_source : row.lead_source,
    position: changes.position ?? row.position,
    values,
  };
}
