/**
 * The fundraising grid (/grid): investors x funds with their commitments, custom columns, flags
 * and outreach notes, edited like a spreadsheet and shared live with the team (docs/grid.md).
 *
 * Data: every page of GET /api/grid (the first shows at once), kept in a reducer the live feed
 * updates; edits show at once (laid over the rows) and settle with the server's answer; a
 * conflicting edit keeps both values until the user chooses.
 */
import { getCoreRowModel, getSortedRowModel, useReactTable, type ColumnDef } from "@tanstack/react-table";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useReducer, useRef, useState, type KeyboardEvent } from "react";
import { useSearchParams } from "react-router";

import { api, fetchRaw, unwrap } from "../api/client";
import { ApiError } from "../api/problem";
import { useUsers } from "../api/users";
import { useUser } from "../auth/session";
import { formatMoney, formatNumber } from "../lib/format";
import { Button } from "../ui/Button";
import { EmptyState, PageHeader, SkeletonRows } from "../ui/Feedback";
import { SelectField, TextField } from "../ui/Field";
import { useToast } from "../ui/toast";
import { AddColumnDialog } from "./AddColumnDialog";
import { CellInspector } from "./CellInspector";
import { GridTable, initials, personHue, type Editing, type SortState } from "./GridTable";
import { ImportDialog } from "./ImportDialog";
import { columnSpecs, copyText, editText, overlayCell, overlayRow, parseInput, type Stage } from "./model/columns";
import { hasChanges, merge3 } from "./model/conflict";
import { hasRowChanges, mergeRow, type RowField } from "./model/rowConflict";
import { planPaste } from "./model/paste";
import { clamp, moveSelection, rangeOf, single, type Move, type Pos, commandForKey, type Selection } from "./model/selection";
import { nextSorting, sortValue, toViewSorts } from "./model/sorting";
import { cellFromRead, gridReducer, initialGridState } from "./model/state";
import { parseTsv, toTsv } from "./model/tsv";
import { AMOUNT_FIELDS, asAmountField, cellKey, toCellChanges, type AmountField, type CellEdit, type CellRead, type GridRowRead, type PivotCell, type PivotRow, type Proposal, type RowChanges } from "./model/types";
import { SaveViewDialog } from "./SaveViewDialog";
import { useLiveGrid } from "./useLiveGrid";
import "./grid.css";

const FIRST_PAGE = 300;
const PAGE = 1000;

function idempotencyKey(): string {
  return crypto.randomUUID();
}

const PROPOSALS_KEY = ["proposals", { status: "pending", entity_type: "opportunity" }] as const;

async function allProposals(): Promise<Proposal[]> {
  const items: Proposal[] = [];
  let cursor: string | undefined;
  do {
    const page = await unwrap(api.GET("/api/proposals", { params: { query: { status: "pending", entity_type: "opportunity", limit: 200, cursor } } }));
    items.push(...page.items);
    cursor = page.next_cursor ?? undefined;
  } while (cursor && items.length < 2000);
  return items;
}

function currentOf(error: ApiError): unknown {
  return error.problem.current;
}

function isCellRead(value: unknown): value is CellRead {
  return typeof value === "object" && value !== null && "row_id" in value && "fund_id" in value && "version" in value;
}

function isRowRead(value: unknown): value is GridRowRead {
  return typeof value === "object" && value !== null && "investor_kind" in value && "version" in value;
}

interface EditBase {
  rowId: string;
  ref: string;
  fundId: string | undefined;
  cell: PivotCell | undefined;
  row: PivotRow;
}

export default function GridScreen() {
  const user = useUser();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const viewId = params.get("view");
  const q = params.get("q") ?? "";
  const list = params.get("list");
  const [state, dispatch] = useReducer(gridReducer, initialGridState);
  const [reload, setReload] = useState(0);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [sorting, setSorting] = useState<SortState>([]);
  const [amountOverride, setAmountOverride] = useState<AmountField | null>(null);
  const [selection, setSelection] = useState<Selection>(single({ row: 0, col: 1 }));
  const [editing, setEditing] = useState<Editing | null>(null);
  const [saving, setSaving] = useState(0);
  const [importing, setImporting] = useState(false);
  const [savingView, setSavingView] = useState(false);
  const [addingColumn, setAddingColumn] = useState(false);
  const [deciding, setDeciding] = useState<string | null>(null);
  const [search, setSearch] = useState(q);
  const gridRef = useRef<HTMLDivElement>(null);
  const editBase = useRef<EditBase | null>(null);
  const editingRef = useRef<Editing | null>(null);
  const wantFocus = useRef(false);

  useEffect(() => {
    editingRef.current = editing;
  }, [editing]);

  // Load every page: the first shows at once, the rest stream in behind it.
  useEffect(() => {
    const load = { cancelled: false };
    dispatch({ type: "loading" });
    setLoadError(null);
    void (async () => {
      let cursor: string | undefined;
      let first = true;
      do {
        const page = await unwrap(
          api.GET("/api/grid", { params: { query: { view_id: viewId ?? undefined, list: list ?? undefined, q: q || undefined, limit: first ? FIRST_PAGE : PAGE, cursor } } }),
        );
        if (load.cancelled) return;
        dispatch({ type: "page", page, first });
        first = false;
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
    })().catch((error: unknown) => {
      if (!load.cancelled) setLoadError(error instanceof ApiError ? error.message : "The grid could not be loaded.");
    });
    return () => {
      load.cancelled = true;
    };
  }, [viewId, q, list, reload]);

  useEffect(() => {
    const timer = window.setTimeout(() => {
      if (search !== q) {
        const next = new URLSearchParams(params);
        if (search) next.set("q", search);
        else next.delete("q");
        setParams(next, { replace: true });
      }
    }, 300);
    return () => window.clearTimeout(timer);
  }, [search, q, params, setParams]);

  const views = useQuery({ queryKey: ["grid", "views"], queryFn: () => unwrap(api.GET("/api/grid/views")) });
  const lists = useQuery({ queryKey: ["grid", "lists"], queryFn: () => unwrap(api.GET("/api/grid/lists")), staleTime: 60_000 });
  const stageQuery = useQuery({ queryKey: ["lookups", "pipeline_stage"], queryFn: () => unwrap(api.GET("/api/lookups/{list_name}", { params: { path: { list_name: "pipeline_stage" } } })), staleTime: 300_000 });
  const users = useUsers();
  const totalsKey = ["grid", "totals", { view_id: viewId, list, q }] as const;
  const totals = useQuery({
    queryKey: totalsKey,
    queryFn: () => unwrap(api.GET("/api/grid/totals", { params: { query: { view_id: viewId ?? undefined, list: list ?? undefined, q: q || undefined } } })),
  });

  const stages: Stage[] = useMemo(() => (stageQuery.data ?? []).filter((s) => s.is_active).map((s) => ({ value: s.value, label: s.label })), [stageQuery.data]);
  const userName = useCallback((id: string | null | undefined) => (users.data ?? []).find((u) => u.id === id)?.display_name ?? null, [users.data]);
  const view = views.data?.items.find((item) => item.id === viewId);
  const amountField = amountOverride ?? asAmountField(state.amountField);
  const specs = useMemo(() => columnSpecs(state.columns), [state.columns]);

  // Totals follow edits, the team's included: refreshed a moment after the grid changes.
  const totalsTimer = useRef<number | undefined>(undefined);
  const refreshTotals = useCallback(() => {
    window.clearTimeout(totalsTimer.current);
    totalsTimer.current = window.setTimeout(() => void queryClient.invalidateQueries({ queryKey: ["grid", "totals"] }), 800);
  }, [queryClient]);
  useEffect(() => {
    if (state.status === "ready") refreshTotals();
  }, [state.seq, state.status, refreshTotals]);

  const live = useLiveGrid({
    dispatch,
    viewId,
    seq: state.status === "ready" ? (state.seq ?? 0) : null,
    enabled: state.status === "ready" || state.rows.length > 0,
    onReset: () => setReload((n) => n + 1),
    onProposal: () => void queryClient.invalidateQueries({ queryKey: PROPOSALS_KEY }),
  });
  // Proposals arrive on the live feed; polled only while the feed is down.
  const proposals = useQuery({ queryKey: PROPOSALS_KEY, queryFn: allProposals, refetchInterval: live.status === "live" ? false : 30_000 });
  const proposalsByOpportunity = useMemo(() => {
    const map = new Map<string, Proposal[]>();
    for (const proposal of proposals.data ?? []) {
      if (proposal.target_type !== "opportunity" || !proposal.target_id) continue;
      if (proposal.action !== "move_stage" && proposal.action !== "set_amounts") continue;
      map.set(proposal.target_id, [...(map.get(proposal.target_id) ?? []), proposal]);
    }
    return map;
  }, [proposals.data]);
  const meUserId = live.me?.userId ?? user.id;

  // Row order: a sort the user picked, else the view's (the server's order), else row position.
  const baseRows = useMemo(() => {
    if ((view?.sorts.length ?? 0) > 0) return state.rows;
    return state.rows
      .map((row, index) => ({ row, index, position: state.pendingRows[row.id]?.position ?? row.position }))
      .sort((a, b) => a.position - b.position || a.index - b.index)
      .map((entry) => entry.row);
  }, [state.rows, state.pendingRows, view?.sorts.length]);
  const columnDefs = useMemo<ColumnDef<PivotRow>[]>(
    () => specs.map((spec) => ({ id: spec.ref, accessorFn: (row: PivotRow) => sortValue(row, spec, amountField), sortUndefined: "last" })),
    [specs, amountField],
  );
  // TanStack Table returns fresh functions by design; nothing here is compiled by React Compiler.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data: baseRows,
    columns: columnDefs,
    state: { sorting },
    getRowId: (row) => row.id,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    enableMultiSort: true,
  });
  const rowModel = table.getRowModel();
  const rows = useMemo(() => rowModel.rows.map((r) => r.original), [rowModel]);
  const bounds = useMemo(() => ({ rows: rows.length, cols: specs.length, page: 15 }), [rows.length, specs.length]);

  // The cursor starts on the first fund: the money is what the grid is for.
  const placed = useRef(false);
  useEffect(() => {
    if (placed.current || specs.length === 0) return;
    placed.current = true;
    const firstFund = specs.findIndex((spec) => spec.kind === "fund");
    if (firstFund > 0) setSelection(single({ row: 0, col: firstFund }));
  }, [specs]);

  const active = clamp(selection.focus, { ...bounds, rows: Math.max(1, bounds.rows), cols: Math.max(1, bounds.cols) });
  const activeRow = rows[active.row];
  const activeSpec = specs[active.col];
  const activeKey = activeRow && activeSpec ? cellKey(activeRow.id, activeSpec.ref) : null;

  // Presence: where this user is, a moment after the cursor settles.
  useEffect(() => {
    if (!activeRow || !activeSpec) return;
    const timer = window.setTimeout(() => live.sendPresence({ row_id: activeRow.id, column: activeSpec.ref }), 150);
    return () => window.clearTimeout(timer);
  }, [activeRow, activeSpec, live]);

  // The keyboard keeps focus on the active cell as it moves.
  useEffect(() => {
    if (!wantFocus.current || editing) return;
    const frame = window.requestAnimationFrame(() => {
      const cell = gridRef.current?.querySelector<HTMLElement>(`[data-row="${active.row}"][data-col="${active.col}"]`);
      if (cell) {
        cell.focus({ preventScroll: true });
        wantFocus.current = false;
      }
    });
    return () => window.cancelAnimationFrame(frame);
  }, [active.row, active.col, editing, rows]);

  const beginSaving = () => setSaving((n) => n + 1);
  const endSaving = () => setSaving((n) => Math.max(0, n - 1));

  const startEdit = useCallback(
    (pos: Pos, initial?: string, error?: string) => {
      const row = rows[pos.row];
      const spec = specs[pos.col];
      if (!row || !spec) return;
      if (!spec.editable) {
        toast.show(`${spec.label} cannot be edited in the grid.`);
        return;
      }
      const key = cellKey(row.id, spec.ref);
      const lock = state.locks[key];
      if (lock && lock.user_id !== meUserId) {
        toast.show(`${lock.name} is editing this cell. Try again when they are done.`, { tone: "error" });
        return;
      }
      const shown = overlayRow(row, state.pendingRows[row.id]);
      const cell = spec.fundId ? row.cells[spec.fundId] : undefined;
      editBase.current = { rowId: row.id, ref: spec.ref, fundId: spec.fundId, cell, row };
      setSelection(single(pos));
      setEditing({ pos, text: initial ?? editText(shown, spec, amountField, overlayCell(cell, state.pendingCells[key], spec.currency)), error });
      void live.lock(row.id, spec.ref).then((answer) => {
        const base = editBase.current;
        if (answer.ok || !base || base.rowId !== row.id || base.ref !== spec.ref) return;
        editBase.current = null;
        setEditing(null);
        wantFocus.current = true;
        toast.show(`${answer.lock?.name ?? "Someone"} is editing this cell. Try again when they are done.`, { tone: "error" });
      });
    },
    [rows, specs, state.locks, state.pendingRows, state.pendingCells, meUserId, amountField, live, toast],
  );

  // Someone else's change reaching a cell being edited: say so (the edit will merge or conflict).
  useEffect(() => {
    const base = editBase.current;
    if (!base || !editing || !base.fundId) return;
    const row = state.rows.find((r) => r.id === base.rowId);
    const now = row?.cells[base.fundId];
    if ((now?.version ?? 0) !== (base.cell?.version ?? 0) && !editing.changedBy) {
      setEditing({ ...editing, changedBy: state.recent[cellKey(base.rowId, base.ref)] ?? "Someone" });
    }
  }, [state.rows, state.recent, editing]);

  const saveCell = useCallback(
    async (rowId: string, fundId: string, base: PivotCell | undefined, changes: CellEdit, retryText?: { pos: Pos; text: string }): Promise<ApiError | null> => {
      dispatch({ type: "cellPending", rowId, fundId, changes });
      beginSaving();
      try {
        const saved = await unwrap(
          api.PATCH("/api/grid/rows/{row_id}/cells/{fund_id}", {
            params: { path: { row_id: rowId, fund_id: fundId }, header: { "If-Match": `"${base?.version ?? 0}"` } },
            body: toCellChanges(changes),
          }),
        );
        dispatch({ type: "cellSaved", cell: saved });
        refreshTotals();
        return null;
      } catch (error) {
        if (!(error instanceof ApiError)) {
          dispatch({ type: "cellFailed", rowId, fundId });
          toast.show("The change could not be saved: the server did not answer.", { tone: "error" });
          return null;
        }
        const current = currentOf(error);
        if (error.status === 409 && isCellRead(current)) {
          const theirs = cellFromRead(current);
          const merge = merge3(base, changes, theirs);
          const by = userName(current.updated_by) ?? "Someone";
          dispatch({ type: "cellSaved", cell: current });
          if (merge.conflicts.length === 0 && !merge.clearConflict) {
            if (hasChanges(merge.changes)) {
              toast.show(`${by} changed this cell meanwhile; your change was added to theirs.`);
              return await saveCell(rowId, fundId, theirs, merge.changes);
            }
            return null;
          }
          dispatch({ type: "conflict", conflict: { rowId, fundId, base, mine: changes, theirs, theirsBy: by } });
          toast.show(`${by} changed this cell while you edited it. Both values are kept: choose one beside the grid.`, { tone: "error", ms: 10000 });
          return null;
        }
        dispatch({ type: "cellFailed", rowId, fundId });
        if (error.status === 422 && retryText) {
          const fields = error.fieldErrors();
          startEdit(retryText.pos, retryText.text, Object.values(fields)[0] ?? error.message);
          return error;
        }
        if (error.status !== 422) toast.show(error.message, { tone: "error" });
        return error;
      } finally {
        endSaving();
      }
    },
    [refreshTotals, toast, userName, startEdit],
  );

  const saveRow = useCallback(
    async (row: PivotRow, changes: RowChanges, retryText?: { pos: Pos; text: string }, version = row.version): Promise<void> => {
      dispatch({ type: "rowPending", rowId: row.id, changes });
      beginSaving();
      try {
        const saved = await unwrap(api.PATCH("/api/grid/rows/{row_id}", { params: { path: { row_id: row.id }, header: { "If-Match": `"${version}"` } }, body: changes }));
        dispatch({ type: "rowSaved", row: saved });
      } catch (error) {
        if (!(error instanceof ApiError)) {
          dispatch({ type: "rowFailed", rowId: row.id });
          toast.show("The change could not be saved: the server did not answer.", { tone: "error" });
          return;
        }
        const current = currentOf(error);
        if (error.status === 409 && isRowRead(current)) {
          dispatch({ type: "rowSaved", row: current });
          const by = userName(current.updated_by) ?? "Someone";
          const merge = mergeRow(row, changes, current);
          if (merge.conflicts.length === 0) {
            const now = { ...row, lead_source: current.lead_source, flags: current.flags, values: current.values, version: current.version };
            if (hasRowChanges(merge.merged)) await saveRow(now, merge.merged, retryText, current.version);
            return;
          }
          dispatch({ type: "rowConflict", conflict: { rowId: row.id, version: current.version, theirsBy: by, ...merge } });
          toast.show(`${by} changed ${row.investor.name} while you edited it. Both values are kept: choose one beside the grid.`, { tone: "error", ms: 10000 });
          return;
        }
        dispatch({ type: "rowFailed", rowId: row.id });
        if (error.status === 422 && retryText) {
          startEdit(retryText.pos, retryText.text, Object.values(error.fieldErrors())[0] ?? error.message);
          return;
        }
        toast.show(error.message, { tone: "error" });
      } finally {
        endSaving();
      }
    },
    [toast, startEdit, userName],
  );
  const rowFieldLabel = useCallback(
    (field: RowField) => {
      if (field === "lead_source") return "Lead source";
      if (field === "flags") return "Flags";
      const key = field.slice("values.".length);
      return specs.find((spec) => spec.key === key)?.label ?? key;
    },
    [specs],
  );

  const finishEdit = useCallback(
    (commit: boolean, move?: Move) => {
      const current = editingRef.current;
      const base = editBase.current;
      if (!current || !base) return;
      const spec = specs[current.pos.col];
      const row = state.rows.find((r) => r.id === base.rowId) ?? base.row;
      if (commit && spec) {
        const original = editText(overlayRow(base.row, state.pendingRows[row.id]), spec, amountField, base.cell);
        if (current.text !== original) {
          const parsed = parseInput(current.text, spec, amountField, stages, base.cell);
          if (parsed.kind === "error") {
            setEditing({ ...current, error: parsed.message });
            return;
          }
          const retry = { pos: current.pos, text: current.text };
          if (parsed.kind === "cell" && base.fundId) void saveCell(row.id, base.fundId, base.cell, parsed.changes, retry);
          // Against the row as it was read when the edit began: a change someone made meanwhile
          // answers 409 and merges, or is kept beside mine (never overwritten unseen).
          if (parsed.kind === "row") void saveRow(base.row, parsed.changes, retry);
        }
      }
      live.unlock(base.rowId, base.ref);
      editBase.current = null;
      editingRef.current = null;
      setEditing(null);
      wantFocus.current = true;
      if (move) setSelection((sel) => moveSelection(single(sel.focus), move, bounds));
    },
    [specs, state.rows, state.pendingRows, amountField, stages, saveCell, saveRow, live, bounds],
  );

  const undo = useCallback(async () => {
    beginSaving();
    try {
      const batch = await unwrap(api.POST("/api/grid/undo", { params: { header: { "Idempotency-Key": idempotencyKey() } } }));
      dispatch({ type: "batch", batch });
      refreshTotals();
      toast.show(`Undone: ${batch.label || "your last edit"}`);
    } catch (error) {
      toast.show(error instanceof ApiError ? error.message : "Undo failed: the server did not answer.", { tone: "error" });
    } finally {
      endSaving();
    }
  }, [refreshTotals, toast]);

  const applyMatrix = useCallback(
    async (matrix: string[][], label: string) => {
      const plan = planPaste(matrix, rangeOf(selection), { rows, specs, amountField, stages });
      if (plan.errors.length > 0) {
        toast.show(`Nothing was pasted. ${plan.errors.slice(0, 2).join("; ")}${plan.errors.length > 2 ? ` (and ${plan.errors.length - 2} more)` : ""}`, { tone: "error", ms: 10000 });
        return;
      }
      if (plan.operations.length === 0) {
        toast.show("Nothing to change there: those columns are read-only.");
        return;
      }
      for (const cell of plan.cells) dispatch({ type: "cellPending", rowId: cell.rowId, fundId: cell.fundId, changes: cell.changes });
      for (const row of plan.rows) dispatch({ type: "rowPending", rowId: row.rowId, changes: row.changes });
      setSelection({ anchor: { row: plan.range.top, col: plan.range.left }, focus: { row: plan.range.bottom, col: plan.range.right } });
      beginSaving();
      const names = [
        ...plan.cells.map((c) => `${rows.find((r) => r.id === c.rowId)?.investor.name ?? ""}, ${specs.find((s) => s.fundId === c.fundId)?.label ?? ""}`),
        ...plan.rows.map((r) => rows.find((row) => row.id === r.rowId)?.investor.name ?? ""),
      ];
      try {
        const batch = await unwrap(api.POST("/api/grid/batches", { params: { header: { "Idempotency-Key": idempotencyKey() } }, body: { label, operations: plan.operations } }));
        dispatch({ type: "batch", batch });
        refreshTotals();
        toast.show(`${label[0]?.toUpperCase() ?? ""}${label.slice(1)}: ${formatNumber(plan.operations.length)} changes`, { action: { label: "Undo", run: () => void undo() } });
      } catch (error) {
        for (const cell of plan.cells) dispatch({ type: "cellFailed", rowId: cell.rowId, fundId: cell.fundId });
        for (const row of plan.rows) dispatch({ type: "rowFailed", rowId: row.rowId });
        const index = error instanceof ApiError ? error.problem.index : undefined;
        const where = typeof index === "number" && names[index] ? ` (${names[index]})` : "";
        toast.show(`Nothing was changed${where}: ${error instanceof ApiError ? error.message : "the server did not answer."}`, { tone: "error", ms: 10000 });
      } finally {
        endSaving();
      }
    },
    [selection, rows, specs, amountField, stages, refreshTotals, toast, undo],
  );

  // Copy and paste of a rectangle as TSV, while the grid (not an editor) has focus.
  useEffect(() => {
    const inGrid = () => {
      const activeElement = document.activeElement;
      return !editingRef.current && gridRef.current !== null && activeElement !== null && gridRef.current.contains(activeElement) && activeElement.tagName !== "INPUT" && activeElement.tagName !== "BUTTON";
    };
    const onCopy = (event: ClipboardEvent) => {
      if (!inGrid() || !event.clipboardData) return;
      const range = rangeOf(selection);
      const matrix: string[][] = [];
      for (let r = range.top; r <= range.bottom; r++) {
        const row = rows[r];
        if (!row) continue;
        const shown = overlayRow(row, state.pendingRows[row.id]);
        const line: string[] = [];
        for (let c = range.left; c <= range.right; c++) {
          const spec = specs[c];
          if (!spec) continue;
          const cell = spec.fundId ? overlayCell(row.cells[spec.fundId], state.pendingCells[cellKey(row.id, spec.ref)], spec.currency) : undefined;
          line.push(copyText(shown, spec, amountField, cell));
        }
        matrix.push(line);
      }
      event.clipboardData.setData("text/plain", toTsv(matrix));
      event.preventDefault();
      toast.show(`Copied ${formatNumber(matrix.length * (range.right - range.left + 1))} cells`);
    };
    const onPaste = (event: ClipboardEvent) => {
      if (!inGrid() || !event.clipboardData) return;
      const text = event.clipboardData.getData("text/plain");
      event.preventDefault();
      if (text) void applyMatrix(parseTsv(text), "paste");
    };
    document.addEventListener("copy", onCopy);
    document.addEventListener("paste", onPaste);
    return () => {
      document.removeEventListener("copy", onCopy);
      document.removeEventListener("paste", onPaste);
    };
  }, [selection, rows, specs, amountField, state.pendingRows, state.pendingCells, applyMatrix, toast]);

  const moveRow = useCallback(
    (direction: -1 | 1) => {
      if (sorting.length > 0 || (view?.sorts.length ?? 0) > 0) {
        toast.show("Rows keep their order only when the grid is not sorted.");
        return;
      }
      const index = active.row;
      const row = rows[index];
      const neighbour = rows[index + direction];
      if (!row || !neighbour) return;
      const beyond = rows[index + 2 * direction];
      const position = beyond ? (neighbour.position + beyond.position) / 2 : neighbour.position + direction;
      void saveRow(row, { position });
      setSelection(single({ row: index + direction, col: active.col }));
      wantFocus.current = true;
    },
    [sorting.length, view?.sorts.length, active, rows, saveRow, toast],
  );

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (editingRef.current) return;
    const target = event.target as HTMLElement;
    if (target.closest("button, input, select")) return;
    const command = commandForKey(event);
    if (!command) return;
    if (command.type === "move") {
      if (command.move === "next" && active.col === specs.length - 1) return;
      if (command.move === "previous" && active.col === 0) return;
      event.preventDefault();
      wantFocus.current = true;
      setSelection((sel) => moveSelection({ anchor: sel.anchor, focus: active }, command.move, bounds, command.extend));
      return;
    }
    event.preventDefault();
    switch (command.type) {
      case "edit":
        startEdit(active, command.initial);
        break;
      case "clear":
        void applyMatrix([[""]], "clear");
        break;
      case "undo":
        void undo();
        break;
      case "selectAll":
        setSelection({ anchor: { row: 0, col: 0 }, focus: { row: rows.length - 1, col: specs.length - 1 } });
        break;
      case "moveRow":
        moveRow(command.direction);
        break;
      case "collapse":
        setSelection(single(active));
        break;
    }
  };

  const onEditorKey = (event: KeyboardEvent<HTMLInputElement>) => {
    event.stopPropagation();
    if (event.key === "Enter") {
      event.preventDefault();
      finishEdit(true, event.shiftKey ? "up" : "down");
    } else if (event.key === "Tab") {
      event.preventDefault();
      finishEdit(true, event.shiftKey ? "previous" : "next");
    } else if (event.key === "Escape") {
      event.preventDefault();
      finishEdit(false);
    }
  };

  const decide = async (proposal: Proposal, decision: "approve" | "reject") => {
    setDeciding(proposal.id);
    try {
      if (decision === "approve") await unwrap(api.POST("/api/proposals/{proposal_id}/approve", { params: { path: { proposal_id: proposal.id } }, body: {} }));
      else await unwrap(api.POST("/api/proposals/{proposal_id}/reject", { params: { path: { proposal_id: proposal.id } }, body: {} }));
      toast.show(decision === "approve" ? "Proposal accepted" : "Proposal rejected");
      if (decision === "approve" && activeRow && activeSpec?.fundId) {
        const cell = await unwrap(api.GET("/api/grid/rows/{row_id}/cells/{fund_id}", { params: { path: { row_id: activeRow.id, fund_id: activeSpec.fundId } } }));
        dispatch({ type: "cellSaved", cell });
        refreshTotals();
      }
    } catch (error) {
      toast.show(error instanceof ApiError ? error.message : "The decision could not be sent.", { tone: "error" });
    } finally {
      setDeciding(null);
      void queryClient.invalidateQueries({ queryKey: ["proposals"] });
    }
  };

  const saveView = async (name: string, shared: boolean) => {
    const created = await unwrap(
      api.POST("/api/grid/views", {
        params: { header: { "Idempotency-Key": idempotencyKey() } },
        body: {
          name,
          is_shared: shared,
          list_key: list,
          filters: q ? { field: "name", op: "contains", value: q } : null,
          sorts: toViewSorts(sorting, specs, amountField),
          columns: view?.columns ?? null,
          frozen_columns: 1,
          amount_field: amountField,
        },
      }),
    );
    await queryClient.invalidateQueries({ queryKey: ["grid", "views"] });
    setParams(new URLSearchParams({ view: created.id }));
    setSorting([]);
    toast.show(`Saved the view “${created.name}”`);
  };

  const updateView = async () => {
    if (!view) return;
    try {
      const saved = await unwrap(
        api.PATCH("/api/grid/views/{view_id}", {
          params: { path: { view_id: view.id }, header: { "If-Match": `"${view.version}"` } },
          body: { list_key: list, sorts: sorting.length > 0 ? toViewSorts(sorting, specs, amountField) : view.sorts, amount_field: amountField },
        }),
      );
      await queryClient.invalidateQueries({ queryKey: ["grid", "views"] });
      setSorting([]);
      setReload((n) => n + 1);
      toast.show(`Updated the view “${saved.name}”`);
    } catch (error) {
      toast.show(error instanceof ApiError ? error.message : "The view could not be saved.", { tone: "error" });
    }
  };

  const exportAs = async (format: "csv" | "xlsx") => {
    const query = new URLSearchParams({ format });
    if (viewId) query.set("view_id", viewId);
    if (list) query.set("list", list);
    try {
      const response = await fetchRaw(`/api/grid/export?${query.toString()}`);
      const blob = await response.blob();
      const name = /filename=([^;]+)/.exec(response.headers.get("Content-Disposition") ?? "")?.[1] ?? `grid.${format}`;
      const url = URL.createObjectURL(blob);
      const link = document.createElement("a");
      link.href = url;
      link.download = name;
      link.click();
      window.setTimeout(() => URL.revokeObjectURL(url), 1000);
      toast.show(`Exported ${name}`);
    } catch (error) {
      toast.show(error instanceof ApiError ? error.message : "The export failed.", { tone: "error" });
    }
  };

  const others = useMemo(() => {
    const seen = new Map<string, string>();
    for (const entry of Object.values(state.presence)) if (entry.user_id !== meUserId) seen.set(entry.user_id, entry.name);
    return [...seen.entries()];
  }, [state.presence, meUserId]);

  const activeCell = activeRow && activeSpec?.fundId ? overlayCell(activeRow.cells[activeSpec.fundId], activeKey ? state.pendingCells[activeKey] : undefined, activeSpec.currency) : undefined;
  const activeLock = activeKey ? state.locks[activeKey] : undefined;
  const overall = totals.data?.overall ?? [];

  const setParam = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    if (key === "view") {
      setSorting([]);
      setAmountOverride(null);
    }
    setParams(next);
  };

  return (
    <div className="page page--grid">
      <PageHeader
        title="Fundraising grid"
        subtitle={
          <span className="grid-summary">
            <span>{formatNumber(state.total)} investors</span>
            {overall.map((t) => (
              <span key={t.currency} className="num">
                {formatMoney(t[amountField], t.currency)} {AMOUNT_FIELDS.find((a) => a.value === amountField)?.label.toLowerCase()}
              </span>
            ))}
          </span>
        }
        actions={
          <>
            <span className={`live live--${live.status}`} role="status" data-testid="live-status">
              {live.status === "live" ? "Live" : live.status === "connecting" ? "Connecting…" : live.status === "offline" ? "Reconnecting…" : "Live updates off"}
            </span>
            <ul className="presence-list" aria-label="Also here">
              {others.map(([id, name]) => (
                <li key={id} className="avatar" style={{ "--presence-hue": personHue(id) } as React.CSSProperties} title={name} data-testid="presence-avatar">
                  <span aria-hidden="true">{initials(name)}</span>
                  <span className="sr-only">{name}</span>
                </li>
              ))}
            </ul>
            <span className="muted save-status" role="status" aria-live="polite">
              {saving > 0 ? "Saving…" : "All changes saved"}
            </span>
          </>
        }
      />
      <div className="toolbar grid-toolbar">
        <SelectField
          label="View"
          value={viewId ?? ""}
          onChange={(event) => setParam("view", event.target.value || null)}
          options={[{ value: "", label: "All investors" }, ...(views.data?.items ?? []).map((item) => ({ value: item.id, label: item.is_shared ? `${item.name} (shared)` : item.name }))]}
        />
        <TextField label="Search investors" type="search" value={search} onChange={(event) => setSearch(event.target.value)} placeholder="Name contains…" />
        <SelectField
          label="List"
          value={list ?? ""}
          onChange={(event) => setParam("list", event.target.value || null)}
          options={[{ value: "", label: "Every row" }, ...(lists.data?.items ?? []).map((item) => ({ value: item.key, label: item.name }))]}
        />
        <SelectField label="Amount shown" value={amountField} onChange={(event) => setAmountOverride(asAmountField(event.target.value))} options={AMOUNT_FIELDS} />
        <div className="row grid-toolbar__actions">
          {view && <Button onClick={() => void updateView()}>Update view</Button>}
          <Button onClick={() => setSavingView(true)}>Save as view</Button>
          <Button onClick={() => void undo()} title="Undo your last edit (Ctrl+Z)">
            Undo
          </Button>
          <Button onClick={() => setAddingColumn(true)}>Add column</Button>
          <Button onClick={() => setImporting(true)}>Import</Button>
          <Button onClick={() => void exportAs("csv")}>Export CSV</Button>
          <Button onClick={() => void exportAs("xlsx")}>Export XLSX</Button>
        </div>
      </div>
      {state.outdated && (
        <div className="grid-banner" role="status">
          {state.outdated === "columns" ? "The funds or columns changed." : "New investors were added to the grid."}
          <Button small onClick={() => setReload((n) => n + 1)}>
            Refresh
          </Button>
        </div>
      )}
      {loadError ? (
        <div className="form__error" role="alert">
          {loadError}{" "}
          <Button small onClick={() => setReload((n) => n + 1)}>
            Try again
          </Button>
        </div>
      ) : state.status === "loading" && state.rows.length === 0 ? (
        <SkeletonRows rows={12} />
      ) : rows.length === 0 ? (
        <EmptyState title={q || list ? "No investor matches" : "The grid is empty"}>
          {q || list ? "Clear the search or pick another list." : "Import a spreadsheet of your investors, or add opportunities to a fund: each investor becomes a row."}
        </EmptyState>
      ) : (
        <div className="grid-layout">
          <div className="grid-main">
            <GridTable
              rows={rows}
              specs={specs}
              amountField={amountField}
              stages={stages}
              selection={{ anchor: clamp(selection.anchor, bounds), focus: active }}
              editing={editing}
              pendingCells={state.pendingCells}
              pendingRows={state.pendingRows}
              conflicts={state.conflicts}
              locks={state.locks}
              presence={Object.values(state.presence)}
              proposals={proposalsByOpportunity}
              recent={state.recent}
              meUserId={meUserId}
              meConnectionId={live.me?.connectionId ?? null}
              sorting={sorting}
              totals={totals.data}
              gridRef={gridRef}
              label={`Fundraising grid, ${formatNumber(rows.length)} investors. Arrows move, Enter edits, Ctrl+C and Ctrl+V copy and paste, Ctrl+Z undoes.`}
              onSort={(ref) => setSorting((s) => nextSorting(s, ref, false))}
              onPointerSelect={(pos, extend) => {
                if (editingRef.current) finishEdit(true);
                wantFocus.current = true;
                setSelection((sel) => (extend ? { anchor: sel.anchor, focus: pos } : single(pos)));
              }}
              onDoubleClick={(pos) => startEdit(pos)}
              onKeyDown={onKeyDown}
              onEditorChange={(text) => setEditing((e) => (e ? { ...e, text, error: undefined } : e))}
              onEditorKey={onEditorKey}
              onEditorBlur={() => finishEdit(true)}
            />
            {state.status === "loading" && <p className="muted grid-loading">Loading more investors… {formatNumber(state.rows.length)} of {formatNumber(state.total)}</p>}
          </div>
          <CellInspector
            row={activeRow ? overlayRow(activeRow, state.pendingRows[activeRow.id]) : undefined}
            spec={activeSpec}
            amountField={amountField}
            stages={stages}
            cell={activeCell}
            conflicts={Object.entries(state.conflicts).map(([key, conflict]) => ({
              key,
              conflict,
              where: `${state.rows.find((r) => r.id === conflict.rowId)?.investor.name ?? "a cell"} · ${specs.find((s) => s.fundId === conflict.fundId)?.label ?? ""}`,
            }))}
            proposals={activeCell ? (proposalsByOpportunity.get(activeCell.opportunity_id) ?? []) : []}
            lockedBy={activeLock && activeLock.user_id !== meUserId ? activeLock.name : null}
            decidingId={deciding}
            onSave={(changes) => {
              if (!activeRow || !activeSpec?.fundId) return Promise.resolve(null);
              return saveCell(activeRow.id, activeSpec.fundId, activeRow.cells[activeSpec.fundId], changes);
            }}
            rowConflicts={Object.values(state.rowConflicts).map((conflict) => ({
              conflict,
              where: state.rows.find((r) => r.id === conflict.rowId)?.investor.name ?? "a row",
              label: rowFieldLabel,
            }))}
            onResolveRow={(conflict, changes) => {
              dispatch({ type: "rowResolved", rowId: conflict.rowId });
              const row = state.rows.find((r) => r.id === conflict.rowId);
              if (changes && row && hasRowChanges(changes)) void saveRow(row, changes, undefined, conflict.version);
            }}
            onResolve={(conflict, changes) => {
              dispatch({ type: "resolved", rowId: conflict.rowId, fundId: conflict.fundId });
              const row = state.rows.find((r) => r.id === conflict.rowId);
              if (changes && row && hasChanges(changes)) void saveCell(conflict.rowId, conflict.fundId, row.cells[conflict.fundId], changes);
            }}
            onDecide={(proposal, decision) => void decide(proposal, decision)}
          />
        </div>
      )}
      <ImportDialog
        open={importing}
        onClose={() => setImporting(false)}
        stages={stages}
        onImported={(report) => {
          setReload((n) => n + 1);
          toast.show(`Imported: ${formatNumber(report.totals.create)} new, ${formatNumber(report.totals.update)} changed`, {
            action: report.batch_id ? { label: "Undo", run: () => void undo().then(() => setReload((n) => n + 1)) } : undefined,
          });
        }}
      />
      <AddColumnDialog
        open={addingColumn}
        onClose={() => setAddingColumn(false)}
        onAdded={(label) => {
          setReload((n) => n + 1);
          toast.show(`Added the column “${label}”`);
        }}
      />
      <SaveViewDialog open={savingView} onClose={() => setSavingView(false)} onSave={saveView} />
    </div>
  );
}
