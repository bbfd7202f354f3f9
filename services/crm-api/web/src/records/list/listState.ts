/**
 * A list's search, filters, sort and deleted mode, kept in the URL's query string so that a view
 * is a link and Back undoes a change. Pure functions: the screens read and write them through
 * react-router's useSearchParams.
 */
import type { Deleted } from "../types";

export interface ListState {
  q: string;
  /** One of the list's sorts, or null for the API's default. */
  sort: string | null;
  deleted: Deleted;
  /** Filter name (the API's query parameter) → value; empty values are left out. */
  filters: Record<string, string>;
}

export interface ListSpec {
  filterKeys: readonly string[];
  sorts: readonly string[];
}

const DELETED: readonly Deleted[] = ["exclude", "include", "only"];

export function parseListState(params: URLSearchParams, spec: ListSpec): ListState {
  const sort = params.get("sort");
  const deleted = params.get("deleted");
  const filters: Record<string, string> = {};
  for (const key of spec.filterKeys) {
    const value = params.get(key)?.trim();
    if (value) filters[key] = value;
  }
  return {
    q: params.get("q") ?? "",
    sort: sort && spec.sorts.includes(sort) ? sort : null,
    deleted: DELETED.find((value) => value === deleted) ?? "exclude",
    filters,
  };
}

/** The query string of a state: only what differs from the defaults, in a stable order. */
export function toSearchParams(state: ListState): URLSearchParams {
  const params = new URLSearchParams();
  const q = state.q.trim();
  if (q) params.set("q", q);
  for (const key of Object.keys(state.filters).sort()) {
    const value = state.filters[key]?.trim();
    if (value) params.set(key, value);
  }
  if (state.sort) params.set("sort", state.sort);
  if (state.deleted !== "exclude") params.set("deleted", state.deleted);
  return params;
}

export function withFilter(state: ListState, key: string, value: string): ListState {
  const filters = Object.fromEntries(Object.entries(state.filters).filter(([name]) => name !== key));
  if (value.trim()) filters[key] = value;
  return { ...state, filters };
}

/** What a click on a column header does: its ascending sort, then descending, then ascending. */
export function nextSort(current: string | null, defaultSort: string, key: string): string {
  const active = current ?? defaultSort;
  return active === key ? `-${key}` : key;
}

/** The aria-sort of a column whose sort key is `key`, given the list's sort. */
export function ariaSort(current: string | null, defaultSort: string, key: string): "ascending" | "descending" | undefined {
  const active = current ?? defaultSort;
  if (active === key) return "ascending";
  if (active === `-${key}`) return "descending";
  return undefined;
}

/** How many filters (and search, and deleted mode) narrow the list: for the "Clear" button. */
export function countNarrowing(state: ListState): number {
  return Object.keys(state.filters).length + (state.q.trim() ? 1 : 0) + (state.deleted !== "exclude" ? 1 : 0);
}

/** The API query of a state: the filters, q and deleted, ready to spread into a typed query. */
export function apiQuery(state: ListState): Record<string, string> {
  const query: Record<string, string> = { ...state.filters };
  if (state.q.trim()) query.q = state.q.trim();
  if (state.sort) query.sort = state.sort;
  if (state.deleted !== "exclude") query.deleted = state.deleted;
  return query;
}
