/** The API's shapes the grid works with, from the generated OpenAPI types (never hand-written). */
import type { components } from "../../api/schema";

type S = components["schemas"];

export type Pivot = S["Pivot"];
export type PivotRow = S["PivotRow"];
export type PivotCell = S["PivotCell"];
export type GridColumn = Pivot["columns"][number];
export type FundColumn = S["FundColumn"];
export type CustomColumn = S["CustomColumn"];
export type CellRead = S["CellRead"];
export type CellChanges = S["CellChanges"];
export type AmountField = "expected_amount" | "committed_amount" | "funded_amount";
/** An edit of a cell as the client makes it (amounts as exact strings); sent as CellChanges. */
export type CellEdit = Omit<CellChanges, "clear" | AmountField> & { clear?: boolean } & Partial<Record<AmountField, string | null>>;

export function toCellChanges(edit: CellEdit): CellChanges {
  return { ...edit, clear: edit.clear ?? false };
}
export type RowChanges = S["GridRowUpdate"];
export type BatchCreate = S["BatchCreate"];
export type BatchOperation = BatchCreate["operations"][number];
export type BatchRead = S["BatchRead"];
export type GridRowRead = S["GridRowRead"];
export type PresenceEntry = S["PresenceEntry"];
export type LockEntry = S["LockEntry"];
export type Proposal = S["ProposalRead"];
export type GridView = S["GridViewRead"];
export type Totals = S["Totals"];
export type MoneyTotal = S["MoneyTotal"];

export const AMOUNT_FIELDS: readonly { value: AmountField; label: string }[] = [
  { value: "committed_amount", label: "Committed" },
  { value: "expected_amount", label: "Expected" },
  { value: "funded_amount", label: "Funded" },
];

export function asAmountField(value: string | null | undefined): AmountField {
  return value === "expected_amount" || value === "funded_amount" ? value : "committed_amount";
}

/** A cell's key in the client's maps: the row and the column ref (`fund:<id>`, `column:<key>`). */
export function cellKey(rowId: string, ref: string): string {
  return `${rowId}|${ref}`;
}

export function fundRef(fundId: string): string {
  return `fund:${fundId}`;
}
