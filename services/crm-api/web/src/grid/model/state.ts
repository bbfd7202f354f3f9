/**
 * The grid's client state and its reducer: the loaded rows and columns, what the live feed says
 * (changes, presence, cell locks), and this user's edits in flight (laid over the rows until the
 * server answers) and conflicts (kept until the user resolves them: neither value is lost).
 */
import type {
  AmountField,
  BatchRead,
  CellEdit,
  CellRead,
  GridColumn,
  GridRowRead,
  LockEntry,
  Pivot,
  PivotCell,
  PivotRow,
  PresenceEntry,
  RowChanges,
} from "./types";
import type { RowConflict } from "./rowConflict";
import { asAmountField, cellKey, fundRef } from "./types";

export interface LiveEvent {
  id?: string | null;
  type?: string | null;
  subject?: string | null;
  version?: number | null;
  time?: string | null;
  actor?: { kind?: string; id?: string; name?: string | null } | null;
  data?: Record<string, unknown> | null;
}

export interface CellConflict {
  rowId: string;
  fundId: string;
  /** the cell as this user read it before editing */
  base: PivotCell | undefined;
  /** this user's change, not applied */
  mine: CellEdit;
  /** the cell as it is now, someone else's */
  theirs: PivotCell | undefined;
  theirsBy: string | null;
}

export interface GridState {
  status: "loading" | "ready";
  view: Pivot["view"] | null;
  amountField: AmountField;
  columns: GridColumn[];
  rows: PivotRow[];
  total: number;
  seq: number | null;
  presence: Record<string, PresenceEntry>;
  locks: Record<string, LockEntry>;
  pendingCells: Record<string, CellEdit>;
  pendingRows: Record<string, RowChanges>;
  conflicts: Record<string, CellConflict>;
  /** rows whose own fields two people changed, by row id: kept until the user chooses */
  rowConflicts: Record<string, RowConflict>;
  /** something changed that the loaded grid cannot show by itself: reload */
  outdated: null | "rows" | "columns";
  /** who changed what last, for a short highlight */
  recent: Record<string, string>;
}

export const initialGridState: GridState = {
  status: "loading",
  view: null,
  amountField: "committed_amount",
  columns: [],
  rows: [],
  total: 0,
  seq: null,
  presence: {},
  locks: {},
  pendingCells: {},
  pendingRows: {},
  conflicts: {},
  rowConflicts: {},
  outdated: null,
  recent: {},
};

export type GridAction =
  | { type: "loading" }
  | { type: "page"; page: Pivot; first: boolean }
  | { type: "change"; seq: number; event: LiveEvent }
  | { type: "liveState"; presence: PresenceEntry[]; locks: LockEntry[] }
  | { type: "presence"; op: "put" | "delete"; entry: PresenceEntry }
  | { type: "lock"; op: "put" | "delete"; entry: LockEntry }
  | { type: "cellPending"; rowId: string; fundId: string; changes: CellEdit }
  | { type: "cellSaved"; cell: CellRead }
  | { type: "cellFailed"; rowId: string; fundId: string }
  | { type: "conflict"; conflict: CellConflict }
  | { type: "resolved"; rowId: string; fundId: string }
  | { type: "rowPending"; rowId: string; changes: RowChanges }
  | { type: "rowSaved"; row: GridRowRead }
  | { type: "rowFailed"; rowId: string }
  | { type: "rowConflict"; conflict: RowConflict }
  | { type: "rowResolved"; rowId: string }
  | { type: "batch"; batch: BatchRead }
  | { type: "outdated"; what: "rows" | "columns" };

export function cellFromRead(read: CellRead): PivotCell | undefined {
  if (!read.opportunity_id || read.version === 0) return undefined;
  return {
    opportunity_id: read.opportunity_id,
    version: read.version,
    stage: read.stage ?? "lead",
    expected_amount: read.expected_amount,
    committed_amount: read.committed_amount,
    funded_amount: read.funded_amount,
    currency: read.currency ?? "USD",
  };
}

function replaceRow(rows: PivotRow[], index: number, row: PivotRow): PivotRow[] {
  const next = rows.slice();
  next[index] = row;
  return next;
}

function withCell(row: PivotRow, fundId: string, cell: PivotCell | undefined): PivotRow {
  const cells = { ...row.cells };
  if (cell) cells[fundId] = cell;
  else Reflect.deleteProperty(cells, fundId);
  return { ...row, cells };
}

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  if (!(key in record)) return record;
  const next = { ...record };
  Reflect.deleteProperty(next, key);
  return next;
}

function str(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function setCell(state: GridState, rowIndex: number, fundId: string, cell: PivotCell | undefined, by: string | null): GridState {
  const row = state.rows[rowIndex];
  if (!row) return state;
  const key = cellKey(row.id, fundRef(fundId));
  return {
    ...state,
    rows: replaceRow(state.rows, rowIndex, withCell(row, fundId, cell)),
    recent: by ? { ...state.recent, [key]: by } : state.recent,
  };
}

/** A live opportunity change as a cell: only newer versions count; a deleted one empties it. */
function applyOpportunity(state: GridState, event: LiveEvent, action: string): GridState {
  const data = event.data ?? {};
  const id = str(data.id) ?? str(event.subject);
  const by = event.actor?.name ?? null;
  if (action === "purged") {
    const index = state.rows.findIndex((row) => Object.values(row.cells).some((cell) => cell.opportunity_id === id));
    const row = state.rows[index];
    if (!row) return state;
    const fundId = Object.entries(row.cells).find(([, cell]) => cell.opportunity_id === id)?.[0];
    return fundId ? setCell(state, index, fundId, undefined, by) : state;
  }
  const investor = str(data.investor_organization_id) ?? str(data.investor_contact_id);
  const fundId = str(data.fund_id);
  const version = typeof data.version === "number" ? data.version : (event.version ?? 0);
  if (!investor || !fundId || !id) return state;
  const index = state.rows.findIndex((row) => row.investor.id === investor);
  const row = state.rows[index];
  if (!row) return state;
  const current = row.cells[fundId];
  const deleted = action === "deleted" || data.deleted_at != null;
  if (deleted) {
    return current?.opportunity_id === id ? setCell(state, index, fundId, undefined, by) : state;
  }
  if (current && current.opportunity_id === id && current.version >= version) return state;
  const cell: PivotCell = {
    opportunity_id: id,
    version,
    stage: str(data.stage) ?? current?.stage ?? "lead",
    expected_amount: str(data.expected_amount),
    committed_amount: str(data.committed_amount),
    funded_amount: str(data.funded_amount),
    currency: str(data.currency) ?? current?.currency ?? "USD",
  };
  return setCell(state, index, fundId, cell, by);
}

function applyRow(state: GridState, event: LiveEvent, action: string): GridState {
  const data = event.data ?? {};
  const id = str(data.id) ?? str(event.subject);
  const index = state.rows.findIndex((row) => row.id === id);
  const row = state.rows[index];
  const gone = action === "deleted" || action === "purged" || data.deleted_at != null;
  if (!row) {
    return gone || !id ? state : { ...state, outdated: state.outdated ?? "rows" };
  }
  if (gone) {
    const rows = state.rows.slice();
    rows.splice(index, 1);
    return { ...state, rows, total: Math.max(0, state.total - 1) };
  }
  const version = typeof data.version === "number" ? data.version : 0;
  if (version <= row.version) return state;
  const next: PivotRow = {
    ...row,
    version,
    flags: Array.isArray(data.flags) ? data.flags.map(String) : row.flags,
    lead_source: data.lead_source === undefined ? row.lead_source : str(data.lead_source),
    position: typeof data.position === "number" ? data.position : row.position,
    values: data.values && typeof data.values === "object" ? (data.values as Record<string, unknown>) : row.values,
  };
  const rows = replaceRow(state.rows, index, next);
  const by = event.actor?.name ?? null;
  return { ...state, rows, recent: by ? { ...state.recent, [cellKey(row.id, "row")]: by } : state.recent };
}

function applyInvestorName(state: GridState, event: LiveEvent, kind: "organization" | "contact"): GridState {
  const data = event.data ?? {};
  const id = str(data.id);
  const index = state.rows.findIndex((row) => row.investor.kind === kind && row.investor.id === id);
  const row = state.rows[index];
  if (!row) return state;
  const name =
    kind === "organization"
      ? str(data.name)
      : [str(data.first_name), str(data.last_name)].filter(Boolean).join(" ") || null;
  if (!name || name === row.investor.name) return state;
  return { ...state, rows: replaceRow(state.rows, index, { ...row, investor: { ...row.investor, name } }) };
}

function applyCommunication(state: GridState, event: LiveEvent): GridState {
  const data = event.data ?? {};
  const occurred = str(data.occurred_at);
  const ids = new Set([str(data.organization_id), str(data.contact_id)].filter((id): id is string => id !== null));
  if (!occurred || ids.size === 0 || data.deleted_at != null) return state;
  const index = state.rows.findIndex(
    (row) => ids.has(row.investor.id) || row.contacts.some((contact) => ids.has(contact.contact_id)),
  );
  const row = state.rows[index];
  if (!row) return state;
  const id = str(data.id) ?? "";
  const note = {
    id,
    type: str(data.type) ?? "note",
    subject: str(data.subject) ?? "",
    body: str(data.body) ?? "",
    occurred_at: occurred,
    contact_id: str(data.contact_id),
    organization_id: str(data.organization_id),
  };
  const notes = [note, ...row.notes.filter((n) => n.id !== id)]
    .sort((a, b) => b.occurred_at.localeCompare(a.occurred_at))
    .slice(0, Math.max(3, row.notes.length));
  const last = !row.last_touch_at || occurred > row.last_touch_at ? occurred : row.last_touch_at;
  return { ...state, rows: replaceRow(state.rows, index, { ...row, notes, last_touch_at: last }) };
}

/** One change from the live feed. */
export function applyChange(state: GridState, event: LiveEvent): GridState {
  const [, aggregate = "", action = ""] = (event.type ?? "").split(".");
  switch (aggregate) {
    case "opportunity":
      return applyOpportunity(state, event, action);
    case "grid_row":
      return applyRow(state, event, action);
    case "organization":
      return applyInvestorName(state, event, "organization");
    case "contact":
      return applyInvestorName(state, event, "contact");
    case "communication":
      return applyCommunication(state, event);
    case "fund":
    case "grid_column":
      return { ...state, outdated: "columns" };
    default:
      return state;
  }
}

function rowFromRead(row: PivotRow, read: GridRowRead): PivotRow {
  if (read.version < row.version) return row;
  return {
    ...row,
    version: read.version,
    flags: read.flags,
    lead_source: read.lead_source,
    position: read.position,
    values: read.values,
  };
}

export function gridReducer(state: GridState, action: GridAction): GridState {
  switch (action.type) {
    case "loading":
      return { ...state, status: "loading" };
    case "page": {
      const { page } = action;
      const rows = action.first ? page.rows : [...state.rows, ...page.rows];
      return {
        ...state,
        status: "ready",
        view: page.view,
        amountField: asAmountField(page.amount_field),
        columns: page.columns,
        rows,
        total: page.total,
        seq: action.first ? page.seq : state.seq,
        outdated: action.first ? null : state.outdated,
        pendingCells: action.first ? {} : state.pendingCells,
        pendingRows: action.first ? {} : state.pendingRows,
      };
    }
    case "change": {
      const next = applyChange(state, action.event);
      return { ...next, seq: Math.max(next.seq ?? 0, action.seq) };
    }
    case "liveState": {
      const presence: Record<string, PresenceEntry> = {};
      for (const entry of action.presence) presence[entry.connection_id] = entry;
      const locks: Record<string, LockEntry> = {};
      for (const entry of action.locks) locks[cellKey(entry.row_id, entry.column)] = entry;
      return { ...state, presence, locks };
    }
    case "presence":
      return action.op === "put"
        ? { ...state, presence: { ...state.presence, [action.entry.connection_id]: action.entry } }
        : { ...state, presence: without(state.presence, action.entry.connection_id) };
    case "lock": {
      const key = cellKey(action.entry.row_id, action.entry.column);
      return action.op === "put"
        ? { ...state, locks: { ...state.locks, [key]: action.entry } }
        : { ...state, locks: without(state.locks, key) };
    }
    case "cellPending": {
      const key = cellKey(action.rowId, fundRef(action.fundId));
      return { ...state, pendingCells: { ...state.pendingCells, [key]: action.changes } };
    }
    case "cellSaved": {
      const { cell } = action;
      const key = cellKey(cell.row_id, fundRef(cell.fund_id));
      const index = state.rows.findIndex((row) => row.id === cell.row_id);
      const row = state.rows[index];
      const cleared = { ...state, pendingCells: without(state.pendingCells, key) };
      if (!row) return cleared;
      const current = row.cells[cell.fund_id];
      if (current && cell.version !== 0 && current.version > cell.version) return cleared;
      return { ...cleared, rows: replaceRow(state.rows, index, withCell(row, cell.fund_id, cellFromRead(cell))) };
    }
    case "cellFailed":
      return { ...state, pendingCells: without(state.pendingCells, cellKey(action.rowId, fundRef(action.fundId))) };
    case "conflict": {
      const { conflict } = action;
      const key = cellKey(conflict.rowId, fundRef(conflict.fundId));
      const index = state.rows.findIndex((row) => row.id === conflict.rowId);
      const row = state.rows[index];
      let rows = state.rows;
      const current = row?.cells[conflict.fundId];
      if (row && (conflict.theirs?.version ?? 0) >= (current?.version ?? 0)) {
        rows = replaceRow(rows, index, withCell(row, conflict.fundId, conflict.theirs));
      }
      return {
        ...state,
        rows,
        pendingCells: without(state.pendingCells, key),
        conflicts: { ...state.conflicts, [key]: conflict },
      };
    }
    case "resolved":
      return { ...state, conflicts: without(state.conflicts, cellKey(action.rowId, fundRef(action.fundId))) };
    case "rowPending":
      return { ...state, pendingRows: { ...state.pendingRows, [action.rowId]: action.changes } };
    case "rowSaved": {
      const index = state.rows.findIndex((row) => row.id === action.row.id);
      const row = state.rows[index];
      const cleared = { ...state, pendingRows: without(state.pendingRows, action.row.id) };
      if (!row) return cleared;
      return { ...cleared, rows: replaceRow(state.rows, index, rowFromRead(row, action.row)) };
    }
    case "rowFailed":
      return { ...state, pendingRows: without(state.pendingRows, action.rowId) };
    case "rowConflict":
      return {
        ...state,
        pendingRows: without(state.pendingRows, action.conflict.rowId),
        rowConflicts: { ...state.rowConflicts, [action.conflict.rowId]: action.conflict },
      };
    case "rowResolved":
      return { ...state, rowConflicts: without(state.rowConflicts, action.rowId) };
    case "batch": {
      let next = state;
      for (const cell of action.batch.cells) next = gridReducer(next, { type: "cellSaved", cell });
      for (const row of action.batch.rows) next = gridReducer(next, { type: "rowSaved", row });
      return next;
    }
    case "outdated":
      return { ...state, outdated: action.what };
  }
}
