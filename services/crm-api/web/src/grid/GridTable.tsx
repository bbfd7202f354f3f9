/**
 * The grid itself: an ARIA grid (role=grid, rows and cells with aria-rowindex/colindex,
 * aria-selected) with both its rows and its columns virtualized (@tanstack/react-virtual), so
 * 2,000 investors x 12 funds keep a few hundred cells in the DOM. The investor column and the
 * header stay in place while the rest scrolls. One cell is in the tab order (roving tabindex);
 * the active cell is always rendered, so it keeps focus while it scrolls out of view.
 */
import { useVirtualizer, defaultRangeExtractor, type Range as VirtualRange } from "@tanstack/react-virtual";
import { memo, useCallback, useEffect, useMemo, useRef, type CSSProperties, type KeyboardEvent, type MouseEvent, type RefObject } from "react";

import { formatCompactMoney, formatMoney } from "../lib/format";
import { Badge } from "../ui/Feedback";
import { displayText, overlayCell, overlayRow, type ColumnSpec, type Stage } from "./model/columns";
import { rangeOf, type Pos, type Selection } from "./model/selection";
import type { CellConflict } from "./model/state";
import { cellKey, type AmountField, type CellEdit, type LockEntry, type PivotRow, type PresenceEntry, type Proposal, type RowChanges, type Totals } from "./model/types";

export const ROW_HEIGHT = 36;
const HEADER_HEIGHT = 40;

export interface Editing {
  pos: Pos;
  text: string;
  error?: string | undefined;
  /** the cell changed under the editor (someone else's edit arrived meanwhile) */
  changedBy?: string | null | undefined;
}

export type SortState = { id: string; desc: boolean }[];

export interface GridTableProps {
  rows: readonly PivotRow[];
  specs: readonly ColumnSpec[];
  amountField: AmountField;
  stages: readonly Stage[];
  selection: Selection;
  editing: Editing | null;
  pendingCells: Record<string, CellEdit>;
  pendingRows: Record<string, RowChanges>;
  conflicts: Record<string, CellConflict>;
  locks: Record<string, LockEntry>;
  presence: readonly PresenceEntry[];
  proposals: ReadonlyMap<string, Proposal[]>;
  recent: Record<string, string>;
  meUserId: string | null;
  meConnectionId: string | null;
  sorting: SortState;
  totals: Totals | undefined;
  gridRef: RefObject<HTMLDivElement | null>;
  label: string;
  onSort: (ref: string) => void;
  onPointerSelect: (pos: Pos, extend: boolean) => void;
  onDoubleClick: (pos: Pos) => void;
  onKeyDown: (event: KeyboardEvent<HTMLDivElement>) => void;
  onEditorChange: (text: string) => void;
  onEditorKey: (event: KeyboardEvent<HTMLInputElement>) => void;
  onEditorBlur: () => void;
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? `${parts[0]?.[0] ?? ""}${parts[parts.length - 1]?.[0] ?? ""}` : (parts[0]?.slice(0, 2) ?? "?");
  return letters.toUpperCase();
}

/** A stable colour per person, from the palette the tokens define. */
export function personHue(id: string): number {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) % 360;
  return hash;
}

function ariaSort(sorting: SortState, ref: string): "ascending" | "descending" | "none" {
  const entry = sorting.find((s) => s.id === ref);
  if (!entry) return "none";
  return entry.desc ? "descending" : "ascending";
}

function proposalText(proposal: Proposal, stages: readonly Stage[], currency: string): string {
  const params = proposal.params;
  if (proposal.action === "move_stage" && typeof params.stage === "string") {
    return `→ ${stages.find((s) => s.value === params.stage)?.label ?? params.stage}`;
  }
  const amounts = (["committed_amount", "expected_amount", "funded_amount"] as const)
    .filter((field) => typeof params[field] === "string" || typeof params[field] === "number")
    .map((field) => `${formatCompactMoney(String(params[field] as string | number), currency)} ${field.split("_")[0] ?? ""}`);
  return amounts.length > 0 ? `→ ${amounts.join(", ")}` : "→ change";
}

interface RowProps {
  row: PivotRow;
  index: number;
  top: number;
  specs: readonly ColumnSpec[];
  columns: readonly { index: number; start: number; size: number }[];
  firstWidth: number;
  width: number;
  amountField: AmountField;
  stages: readonly Stage[];
  /** the selection as it touches this row (undefined: not at all), to keep other rows memoized */
  selectedCols: readonly [number, number] | undefined;
  activeCol: number | undefined;
  editing: Editing | undefined;
  pendingCells: Record<string, CellEdit>;
  pendingRow: RowChanges | undefined;
  conflicts: Record<string, CellConflict>;
  locks: Record<string, LockEntry>;
  presence: readonly PresenceEntry[] | undefined;
  proposals: ReadonlyMap<string, Proposal[]>;
  recent: Record<string, string>;
  meUserId: string | null;
  onEditorChange: (text: string) => void;
  onEditorKey: (event: KeyboardEvent<HTMLInputElement>) => void;
  onEditorBlur: () => void;
}

const GridRow = memo(function GridRow(props: RowProps) {
  const { row: baseRow, index, specs, columns, amountField, stages, selectedCols, activeCol, editing, meUserId } = props;
  const row = overlayRow(baseRow, props.pendingRow);
  const others = (props.presence ?? []).filter((entry) => entry.user_id !== meUserId);
  const renderCell = (col: number, style: CSSProperties) => {
    const spec = specs[col];
    if (!spec) return null;
    const ref = spec.ref;
    const key = cellKey(row.id, ref);
    const baseCell = spec.fundId ? row.cells[spec.fundId] : undefined;
    const pending = props.pendingCells[key];
    const cell = spec.fundId ? overlayCell(baseCell, pending, spec.currency) : undefined;
    const lock = props.locks[key];
    const lockedByOther = lock !== undefined && lock.user_id !== meUserId;
    const conflict = props.conflicts[key];
    const here = others.filter((entry) => entry.cell?.column === ref);
    const proposals = cell ? props.proposals.get(cell.opportunity_id) : undefined;
    const selected = selectedCols !== undefined && col >= selectedCols[0] && col <= selectedCols[1];
    const active = activeCol === col;
    const isEditing = editing !== undefined && editing.pos.col === col;
    const recentBy = props.recent[key];
    const classes = ["gcell", `gcell--${spec.kind}`];
    if (selected) classes.push("gcell--selected");
    if (active) classes.push("gcell--active");
    if (lockedByOther) classes.push("gcell--locked");
    if (conflict) classes.push("gcell--conflict");
    if (pending || (spec.kind !== "fund" && props.pendingRow)) classes.push("gcell--pending");
    if (proposals) classes.push("gcell--proposal");
    if (here.length > 0) classes.push("gcell--presence");
    const first = here[0];
    const presenceStyle = first ? ({ "--presence-hue": personHue(first.user_id) } as CSSProperties) : undefined;
    const text = displayText(row, spec, amountField, cell);
    const stage = cell && spec.kind === "fund" ? stages.find((s) => s.value === cell.stage) : undefined;
    const label = [
      lockedByOther ? `locked: ${lock.name} is editing` : "",
      conflict ? "conflict: two values, review it beside the grid" : "",
      proposals ? `an agent proposes ${proposalText(proposals[0] as Proposal, stages, cell?.currency ?? "USD")}` : "",
      here.length > 0 ? `${here.map((entry) => entry.name).join(", ")} here` : "",
    ]
      .filter(Boolean)
      .join("; ");
    const common = {
      role: col === 0 ? "rowheader" : "gridcell",
      "aria-colindex": col + 1,
      "aria-selected": selected,
      "aria-readonly": !spec.editable || undefined,
      "aria-description": label || undefined,
      tabIndex: active ? 0 : -1,
      "data-row": index,
      "data-col": col,
      "data-ref": ref,
      "data-testid": "grid-cell",
      "data-locked": lockedByOther ? "true" : undefined,
      "data-conflict": conflict ? "true" : undefined,
      className: classes.join(" "),
      style: { ...style, ...presenceStyle },
      title: lockedByOther ? `${lock.name} is editing this cell` : recentBy ? `Last changed by ${recentBy}` : undefined,
    };
    if (col === 0) {
      return (
        <div key={ref} {...common}>
          <span className="gcell__text gcell__investor">{row.investor.name}</span>
          {row.flags.includes("priority") && <Badge tone="accent">priority</Badge>}
          {others.length > 0 && (
            <span className="presence-stack" aria-hidden="true">
              {others.slice(0, 3).map((entry) => (
                <span key={entry.connection_id} className="avatar avatar--small" style={{ "--presence-hue": personHue(entry.user_id) } as CSSProperties} title={`${entry.name} is on this row`}>
                  {initials(entry.name)}
                </span>
              ))}
            </span>
          )}
        </div>
      );
    }
    return (
      <div key={ref} {...common}>
        {isEditing ? (
          <input
            className="gcell__editor"
            aria-label={`${spec.label} for ${row.investor.name}`}
            aria-invalid={editing.error ? true : undefined}
            aria-describedby={editing.error ? "grid-editor-error" : undefined}
            value={editing.text}
            autoFocus
            onChange={(event) => props.onEditorChange(event.target.value)}
            onKeyDown={props.onEditorKey}
            onBlur={props.onEditorBlur}
          />
        ) : (
          <>
            <span className={`gcell__text${spec.kind === "fund" ? " num" : ""}`}>{text}</span>
            {stage && !conflict && !proposals && !lockedByOther && here.length === 0 && <span className={`stage stage--${stage.value}`}>{stage.label}</span>}
            {spec.kind === "field" && spec.ref === "field:flags" && row.flags.length > 0 && (
              <span className="sr-only">{row.flags.join(", ")}</span>
            )}
          </>
        )}
        {lockedByOther && (
          <span className="gcell__lock" aria-hidden="true" title={`${lock.name} is editing`}>
            🔒 {initials(lock.name)}
          </span>
        )}
        {first && !lockedByOther && !conflict && !proposals && (
          <span className="gcell__presence" aria-hidden="true">
            {initials(first.name)}
          </span>
        )}
        {conflict && (
          <span className="gcell__flag gcell__flag--conflict" aria-hidden="true">
            conflict
          </span>
        )}
        {proposals && !conflict && (
          <span className="gcell__flag gcell__flag--proposal" aria-hidden="true">
            {proposalText(proposals[0] as Proposal, stages, cell?.currency ?? "USD")}
          </span>
        )}
        {isEditing && editing.error && (
          <span id="grid-editor-error" role="alert" className="gcell__error">
            {editing.error}
          </span>
        )}
        {isEditing && editing.changedBy && !editing.error && (
          <span role="status" className="gcell__error gcell__error--info">
            {editing.changedBy} changed this cell meanwhile
          </span>
        )}
      </div>
    );
  };
  return (
    <div role="row" aria-rowindex={index + 2} className="grow" style={{ transform: `translateY(${props.top}px)`, width: props.width, height: ROW_HEIGHT }} data-row-id={row.id}>
      {renderCell(0, { width: props.firstWidth })}
      {columns.map((column) => renderCell(column.index, { position: "absolute", left: props.firstWidth + column.start, width: column.size }))}
    </div>
  );
});

function totalFor(totals: Totals | undefined, spec: ColumnSpec, amountField: AmountField): string {
  if (!totals || !spec.fundId) return "";
  const entries = totals.by_fund[spec.fundId] ?? [];
  return entries.map((entry) => formatMoney(entry[amountField], entry.currency)).join(" · ");
}

export function GridTable(props: GridTableProps) {
  const { rows, specs, selection, editing, sorting, amountField } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const range = rangeOf(selection);
  const active = selection.focus;
  const firstWidth = specs[0]?.width ?? 240;
  const dataSpecs = specs.slice(1);

  const keepRow = useCallback(
    (r: VirtualRange) => {
      const indexes = defaultRangeExtractor(r);
      return indexes.includes(active.row) || active.row >= r.count ? indexes : [...indexes, active.row].sort((a, b) => a - b);
    },
    [active.row],
  );
  const keepCol = useCallback(
    (r: VirtualRange) => {
      const indexes = defaultRangeExtractor(r);
      const col = active.col - 1;
      return col < 0 || indexes.includes(col) || col >= r.count ? indexes : [...indexes, col].sort((a, b) => a - b);
    },
    [active.col],
  );
  // TanStack Virtual returns fresh functions by design; nothing here is compiled by React Compiler.
  // eslint-disable-next-line react-hooks/incompatible-library
  const rowVirtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    rangeExtractor: keepRow,
    scrollPaddingStart: HEADER_HEIGHT,
    scrollPaddingEnd: ROW_HEIGHT,
  });
  const colVirtualizer = useVirtualizer({
    horizontal: true,
    count: dataSpecs.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => dataSpecs[i]?.width ?? 140,
    overscan: 2,
    rangeExtractor: keepCol,
    scrollPaddingStart: firstWidth,
  });
  useEffect(() => colVirtualizer.measure(), [dataSpecs.map((s) => `${s.ref}:${s.width}`).join(","), colVirtualizer]); // eslint-disable-line react-hooks/exhaustive-deps

  // Keep the active cell in view as the keyboard moves it.
  useEffect(() => {
    rowVirtualizer.scrollToIndex(active.row, { align: "auto" });
    if (active.col > 0) colVirtualizer.scrollToIndex(active.col - 1, { align: "auto" });
  }, [active.row, active.col, rowVirtualizer, colVirtualizer]);

  // The same visible columns keep the same array, so rows scrolled vertically skip re-rendering.
  const virtualColumns = colVirtualizer.getVirtualItems();
  const columnsKey = virtualColumns.map((item) => `${item.index}:${item.start}:${item.size}`).join(",");
  const columns = useMemo(
    () => virtualColumns.map((item) => ({ index: item.index + 1, start: item.start, size: item.size })),
    [columnsKey], // eslint-disable-line react-hooks/exhaustive-deps
  );
  const width = firstWidth + colVirtualizer.getTotalSize();
  const byRow = new Map<string, PresenceEntry[]>();
  for (const entry of props.presence) {
    const rowId = entry.cell?.row_id;
    if (!rowId || entry.user_id === props.meUserId) continue;
    const list = byRow.get(rowId) ?? [];
    list.push(entry);
    byRow.set(rowId, list);
  }

  const cellFromEvent = (event: MouseEvent<HTMLDivElement>): Pos | null => {
    const target = (event.target as HTMLElement).closest<HTMLElement>("[data-row][data-col]");
    if (!target) return null;
    return { row: Number(target.dataset.row), col: Number(target.dataset.col) };
  };

  return (
    <div ref={scrollRef} className="grid-scroll" data-testid="grid-scroll">
      <div
        ref={props.gridRef}
        role="grid"
        aria-label={props.label}
        aria-rowcount={rows.length + 2}
        aria-colcount={specs.length}
        aria-multiselectable="true"
        className="grid"
        data-testid="grid"
        style={{ width, height: HEADER_HEIGHT + rowVirtualizer.getTotalSize() + ROW_HEIGHT }}
        onKeyDown={props.onKeyDown}
        onMouseDown={(event) => {
          if ((event.target as HTMLElement).closest("input, button, select")) return;
          const pos = cellFromEvent(event);
          if (pos) {
            event.preventDefault();
            props.onPointerSelect(pos, event.shiftKey);
          }
        }}
        onDoubleClick={(event) => {
          const pos = cellFromEvent(event);
          if (pos) props.onDoubleClick(pos);
        }}
      >
        <div role="rowgroup" className="grid__head" style={{ width }}>
          <div role="row" aria-rowindex={1} className="grow grow--head" style={{ width, height: HEADER_HEIGHT }}>
            {[0, ...columns.map((c) => c.index)].map((col) => {
              const spec = specs[col];
              if (!spec) return null;
              const column = columns.find((c) => c.index === col);
              const style: CSSProperties = col === 0 ? { width: firstWidth } : { position: "absolute", left: firstWidth + (column?.start ?? 0), width: column?.size ?? spec.width };
              const sort = ariaSort(sorting, spec.ref);
              return (
                <div key={spec.ref} role="columnheader" aria-colindex={col + 1} aria-sort={sort} className={`ghead gcell--${spec.kind}`} style={style}>
                  <button type="button" className="th-sort ghead__button" onClick={() => props.onSort(spec.ref)} title={`Sort by ${spec.label}`}>
                    <span className="gcell__text">{spec.label}</span>
                    <span aria-hidden="true">{sort === "ascending" ? "▲" : sort === "descending" ? "▼" : ""}</span>
                  </button>
                </div>
              );
            })}
          </div>
        </div>
        <div role="rowgroup" className="grid__body" style={{ height: rowVirtualizer.getTotalSize(), width }}>
          {rowVirtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            const touches = item.index >= range.top && item.index <= range.bottom;
            return (
              <GridRow
                key={row.id}
                row={row}
                index={item.index}
                top={item.start}
                specs={specs}
                columns={columns}
                firstWidth={firstWidth}
                width={width}
                amountField={amountField}
                stages={props.stages}
                selectedCols={touches ? [range.left, range.right] : undefined}
                activeCol={active.row === item.index ? active.col : undefined}
                editing={editing && editing.pos.row === item.index ? editing : undefined}
                pendingCells={props.pendingCells}
                pendingRow={props.pendingRows[row.id]}
                conflicts={props.conflicts}
                locks={props.locks}
                presence={byRow.get(row.id)}
                proposals={props.proposals}
                recent={props.recent}
                meUserId={props.meUserId}
                onEditorChange={props.onEditorChange}
                onEditorKey={props.onEditorKey}
                onEditorBlur={props.onEditorBlur}
              />
            );
          })}
        </div>
        <div role="rowgroup" className="grid__foot" style={{ width }}>
          <div role="row" aria-rowindex={rows.length + 2} className="grow grow--foot" style={{ width, height: ROW_HEIGHT }}>
            <div role="rowheader" aria-colindex={1} className="gcell gcell--investor gcell--total" style={{ width: firstWidth }}>
              Totals ({props.totals?.rows ?? rows.length} investors)
            </div>
            {columns.map((column) => {
              const spec = specs[column.index];
              if (!spec) return null;
              return (
                <div key={spec.ref} role="gridcell" aria-colindex={column.index + 1} className="gcell gcell--total num" style={{ position: "absolute", left: firstWidth + column.start, width: column.size }}>
                  <span className="gcell__text">{totalFor(props.totals, spec, amountField)}</span>
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </div>
  );
}
