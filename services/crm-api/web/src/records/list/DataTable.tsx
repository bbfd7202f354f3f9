/**
 * The records' data table: TanStack Table for the model, the API for sorting (a header is a
 * button with aria-sort on its <th>), and TanStack Virtual for the rows once a list grows long
 * (spacer rows keep it a real <table> for screen readers and keyboard users).
 */
import {
  flexRender,
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type RowData,
} from "@tanstack/react-table";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useRef } from "react";

import { ariaSort } from "./listState";

declare module "@tanstack/react-table" {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the library's declaration has them
  interface ColumnMeta<TData extends RowData, TValue> {
    /** The API's sort key of the column ("last_name"): its header becomes a sort button. */
    sortKey?: string;
    numeric?: boolean;
  }
}

export interface DataTableProps<T> {
  caption: string;
  data: T[];
  columns: ColumnDef<T>[];
  getRowId: (row: T) => string;
  sort: string | null;
  defaultSort: string;
  onSort: (key: string) => void;
  rowClassName?: (row: T) => string | undefined;
  /** Rows beyond this many are virtualized. */
  virtualizeAbove?: number;
}

const ROW_HEIGHT = 41;

export function DataTable<T>({
  caption,
  data,
  columns,
  getRowId,
  sort,
  defaultSort,
  onSort,
  rowClassName,
  virtualizeAbove = 100,
}: DataTableProps<T>) {
  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Table is not memo-safe; this component does not memoize around it
  const table = useReactTable({
    data,
    columns,
    getRowId: (row) => getRowId(row),
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
  });
  const rows = table.getRowModel().rows;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtual = rows.length > virtualizeAbove;
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    enabled: virtual,
  });
  const items = virtual ? virtualizer.getVirtualItems() : [];
  const visible = virtual ? items.map((item) => rows[item.index]).filter((row) => row !== undefined) : rows;
  const paddingTop = virtual ? (items[0]?.start ?? 0) : 0;
  const paddingBottom = virtual ? virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0) : 0;
  const width = table.getVisibleLeafColumns().length;

  return (
    <div ref={scrollRef} className={virtual ? "table-wrap records-table records-table--virtual" : "table-wrap records-table"}>
      <table className="table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const meta = header.column.columnDef.meta;
                const key = meta?.sortKey;
                const direction = key ? ariaSort(sort, defaultSort, key) : undefined;
                const label = header.isPlaceholder ? null : flexRender(header.column.columnDef.header, header.getContext());
                return (
                  <th key={header.id} scope="col" className={meta?.numeric ? "num" : undefined} aria-sort={direction}>
                    {key ? (
                      <button type="button" className="th-sort" onClick={() => onSort(key)}>
                        {label}
                        <span aria-hidden="true" className="records-sort-mark">
                          {direction === "ascending" ? "▲" : direction === "descending" ? "▼" : "↕"}
                        </span>
                      </button>
                    ) : (
                      label
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {paddingTop > 0 && (
            <tr aria-hidden="true">
              <td colSpan={width} style={{ height: paddingTop, padding: 0, border: 0 }} />
            </tr>
          )}
          {visible.map((row) => (
            <tr key={row.id} className={rowClassName?.(row.original)}>
              {row.getVisibleCells().map((cell) => (
                <td key={cell.id} className={cell.column.columnDef.meta?.numeric ? "num" : undefined}>
                  {flexRender(cell.column.columnDef.cell, cell.getContext())}
                </td>
              ))}
            </tr>
          ))}
          {paddingBottom > 0 && (
            <tr aria-hidden="true">
              <td colSpan={width} style={{ height: paddingBottom, padding: 0, border: 0 }} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
