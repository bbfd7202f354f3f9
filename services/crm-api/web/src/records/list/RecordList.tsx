/**
 * One list screen of records: search, filters, sort, deleted mode and saved views in the URL;
 * cursor paging with "Load more"; the total; export of the current view.
 */
import "../records.css";

import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import type { ColumnDef } from "@tanstack/react-table";
import { useMemo, useState, type ReactNode } from "react";
import { useSearchParams } from "react-router";

import { ApiError } from "../../api/problem";
import { formatNumber } from "../../lib/format";
import { Button } from "../../ui/Button";
import { EmptyState, PageHeader, SkeletonRows } from "../../ui/Feedback";
import { useToast } from "../../ui/toast";
import { paramsFromSearch, searchFromParams } from "../../views/savedViews";
import { SavedViews } from "../../views/SavedViews";
import type { ExportFormat, Page } from "../types";
import { DataTable } from "./DataTable";
import { downloadExport } from "./exportFile";
import { DebouncedInput, DeletedSelect, FilterControl, type FilterDef } from "./Filters";
import { apiQuery, countNarrowing, nextSort, parseListState, toSearchParams, withFilter, type ListState } from "./listState";

export const PAGE_SIZE = 50;

export interface RecordListProps<T> {
  /** The API's plural ("contacts"): query keys, export route, saved views. */
  kind: "organizations" | "contacts" | "lp-profiles";
  title: string;
  noun: { one: string; many: string };
  filters: FilterDef[];
  sorts: readonly string[];
  defaultSort: string;
  columns: ColumnDef<T>[];
  fetchPage: (state: ListState, cursor: string | null) => Promise<Page<T>>;
  getRowId: (row: T) => string;
  isDeleted: (row: T) => boolean;
  /** What to do when the list is empty without filters (e.g. a "New contact" link). */
  emptyHint: ReactNode;
  actions?: ReactNode;
  searchPlaceholder?: string;
}

export function RecordList<T>(props: RecordListProps<T>) {
  const { kind, title, noun, filters, sorts, defaultSort, columns, fetchPage, getRowId, isDeleted, emptyHint, actions, searchPlaceholder } = props;
  const [params, setParams] = useSearchParams();
  const toast = useToast();
  const [exporting, setExporting] = useState(false);
  const filterKeys = useMemo(() => filters.map((f) => f.key), [filters]);
  const state = parseListState(params, { filterKeys, sorts });
  const query = apiQuery(state);
  const search = toSearchParams(state).toString();

  const go = (next: ListState, replace = false) => setParams(toSearchParams(next), { replace });

  const list = useInfiniteQuery({
    queryKey: [kind, "list", query],
    queryFn: ({ pageParam }) => fetchPage(state, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
  });
  const rows = useMemo(() => list.data?.pages.flatMap((page) => page.items) ?? [], [list.data]);
  const total = list.data?.pages[0]?.total;
  const narrowed = countNarrowing(state) > 0;

  const exportAs = async (format: ExportFormat) => {
    setExporting(true);
    try {
      const name = await downloadExport(kind, query, format);
      toast.show(`Exported ${name}`);
    } catch (error) {
      toast.show(`Export failed: ${error instanceof ApiError ? error.message : "the server could not be reached"}`, { tone: "error" });
    } finally {
      setExporting(false);
    }
  };

  return (
    <div className="page">
      <PageHeader
        title={title}
        subtitle={
          <span aria-live="polite">
            {total === undefined ? "Loading…" : `${formatNumber(total)} ${total === 1 ? noun.one : noun.many}${narrowed ? (total === 1 ? " matches this view" : " match this view") : ""}`}
          </span>
        }
        actions={
          <>
            <Button onClick={() => void exportAs("csv")} disabled={exporting}>
              Export CSV
            </Button>
            <Button onClick={() => void exportAs("xlsx")} disabled={exporting}>
              Export XLSX
            </Button>
            <Button onClick={() => void exportAs("json")} disabled={exporting}>
              Export JSON
            </Button>
            {actions}
          </>
        }
      />
      <search className="toolbar records-toolbar" aria-label={`Search and filter ${noun.many}`}>
        <DebouncedInput
          className="records-toolbar__search"
          type="search"
          label={`Search ${noun.many}`}
          placeholder={searchPlaceholder}
          value={state.q}
          onCommit={(q) => go({ ...state, q }, true)}
        />
        {filters.map((def) => (
          <FilterControl key={def.key} def={def} value={state.filters[def.key] ?? ""} onChange={(value) => go(withFilter(state, def.key, value))} />
        ))}
        <DeletedSelect value={state.deleted} onChange={(deleted) => go({ ...state, deleted })} />
        <div className="row records-toolbar__end">
          {narrowed && (
            <Button variant="ghost" onClick={() => go({ q: "", sort: state.sort, deleted: "exclude", filters: {} })}>
              Clear filters
            </Button>
          )}
          <SavedViews list={kind} params={paramsFromSearch(search)} onApply={(view) => setParams(searchFromParams(view))} />
        </div>
      </search>
      {list.isPending ? (
        <div className="card">
          <SkeletonRows rows={8} />
        </div>
      ) : list.isError ? (
        <div className="form__error" role="alert">
          Could not load {noun.many}: {list.error instanceof ApiError ? list.error.message : "the server could not be reached"}.{" "}
          <Button small onClick={() => void list.refetch()}>
            Try again
          </Button>
        </div>
      ) : rows.length === 0 ? (
        <div className="card">
          {narrowed ? (
            <EmptyState title={`No ${noun.many} match this view`}>
              <p>Try fewer filters or another search.</p>
              <Button onClick={() => go({ q: "", sort: state.sort, deleted: "exclude", filters: {} })}>Clear filters</Button>
            </EmptyState>
          ) : (
            <EmptyState title={`No ${noun.many} yet`}>{emptyHint}</EmptyState>
          )}
        </div>
      ) : (
        <>
          <DataTable
            caption={`${title}${narrowed ? " (filtered)" : ""}`}
            data={rows}
            columns={columns}
            getRowId={getRowId}
            sort={state.sort}
            defaultSort={defaultSort}
            onSort={(key) => go({ ...state, sort: nextSort(state.sort, defaultSort, key) })}
            rowClassName={(row) => (isDeleted(row) ? "records-row--deleted" : undefined)}
          />
          <div className="row records-pager">
            <span className="muted">
              Showing {formatNumber(rows.length)} of {formatNumber(total ?? rows.length)}
            </span>
            {list.hasNextPage && (
              <Button onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
                {list.isFetchingNextPage ? "Loading…" : `Load ${formatNumber(Math.min(PAGE_SIZE, (total ?? 0) - rows.length))} more`}
              </Button>
            )}
          </div>
        </>
      )}
    </div>
  );
}
