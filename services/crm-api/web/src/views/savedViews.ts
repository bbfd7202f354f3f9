/**
 * Saved views of a list, kept by crm-api (/api/views): a name for a set of the list's query
 * parameters, its owner's or shared with the team. Pure helpers: comparing params, the order of
 * the menu, and moving the views this browser used to keep in localStorage to the server.
 */
import type { components } from "../api/schema";

export type SavedView = components["schemas"]["SavedViewRead"];
/** A list's query parameters, name → value. A name given twice in a URL (?kind=a&kind=b) keeps
 * its values joined by REPEAT: no list puts a line break in a URL value. */
export type ViewParams = Record<string, string>;

export const REPEAT = "\n";
/** What crm-api accepts (SavedViewCreate): a view's name, its params' names and values. */
export const NAME_MAX = 100;
const PARAM_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const VALUE_MAX = 1000;
const PARAMS_MAX = 40;

/** The non-empty params only, so that "no filter" and "filter = ''" are the same view. */
export function cleanParams(params: ViewParams): ViewParams {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== ""));
}

export function sameParams(a: ViewParams, b: ViewParams): boolean {
  const x = cleanParams(a);
  const y = cleanParams(b);
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => x[k] === y[k]);
}

/** A URL's query as view params, without paging (`drop`) and blanks. */
export function paramsFromSearch(search: string | URLSearchParams, drop: readonly string[] = ["cursor"]): ViewParams {
  const out: ViewParams = {};
  for (const [key, value] of new URLSearchParams(search)) {
    if (value === "" || drop.includes(key)) continue;
    out[key] = key in out ? `${out[key]}${REPEAT}${value}` : value;
  }
  return out;
}

/** View params as a URL query (names in a stable order; repeated values appended). */
export function searchFromParams(params: ViewParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const key of Object.keys(params).sort()) {
    for (const value of (params[key] ?? "").split(REPEAT)) if (value !== "") out.append(key, value);
  }
  return out;
}

/** The view the list shows now: the user's own first, then a shared one. */
export function activeView(views: readonly SavedView[], params: ViewParams): SavedView | undefined {
  return views.find((view) => sameParams(view.params, params));
}

/** The menu's two groups: the user's views by position, then the others' shared ones. */
export function splitViews(views: readonly SavedView[], userId: string): { mine: SavedView[]; shared: SavedView[] } {
  const byPosition = (a: SavedView, b: SavedView) => a.position - b.position || a.name.localeCompare(b.name);
  return {
    mine: views.filter((v) => v.owner_id === userId).sort(byPosition),
    shared: views.filter((v) => v.owner_id !== userId).sort(byPosition),
  };
}

export function findByName(views: readonly SavedView[], name: string): SavedView | undefined {
  const key = name.trim().toLocaleLowerCase();
  return views.find((view) => view.name.toLocaleLowerCase() === key);
}

export interface PositionChange {
  view: SavedView;
  position: number;
}

/** Moving one of `mine` (in menu order) up (-1) or down (+1): the new positions, 0..n-1, of the
 * views whose position changes. Nothing when it is already at that end. */
export function reorder(mine: readonly SavedView[], id: string, delta: -1 | 1): PositionChange[] {
  const from = mine.findIndex((v) => v.id === id);
  const to = from + delta;
  if (from < 0 || to < 0 || to >= mine.length) return [];
  const order = [...mine];
  const [moved] = order.splice(from, 1);
  if (!moved) return [];
  order.splice(to, 0, moved);
  return order.flatMap((view, position) => (view.position === position ? [] : [{ view, position }]));
}

// -- the views this browser kept before they lived on the server -------------------------------

/** A view as the three old localStorage formats held it: `{name, params}` (admin and agents'
 * lists) or `{name, search}` (records, follow-ups, search). */
export interface LegacyView {
  name: string;
  params: ViewParams;
}

/** Where the old implementations kept a list's views (per user, or per browser). */
export function legacyKeys(list: string, userId: string): string[] {
  return [`lpcrm:views:${list}:${userId}`, `lpcrm.views.v1.${userId}.${list}`, `lp-crm.${list}.views`];
}

function isStringMap(value: unknown): value is ViewParams {
  return typeof value === "object" && value !== null && Object.values(value).every((v) => typeof v === "string");
}

/** A view crm-api will accept: a trimmed, bounded name, and the params it allows. */
function fit(name: string, params: ViewParams): LegacyView | null {
  const trimmed = name.trim().slice(0, NAME_MAX).trim();
  if (!trimmed) return null;
  const kept = Object.entries(cleanParams(params))
    .filter(([key, value]) => PARAM_NAME.test(key) && value.length <= VALUE_MAX)
    .slice(0, PARAMS_MAX);
  return { name: trimmed, params: Object.fromEntries(kept) };
}

/** What one old key held, ignoring anything malformed (a hand edit, a broken write). */
export function parseLegacy(raw: string | null): LegacyView[] {
  if (!raw) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const out: LegacyView[] = [];
  for (const item of parsed as unknown[]) {
    if (typeof item !== "object" || item === null) continue;
    const { name, params, search } = item as { name?: unknown; params?: unknown; search?: unknown };
    if (typeof name !== "string") continue;
    const view = isStringMap(params) ? fit(name, params) : typeof search === "string" ? fit(name, paramsFromSearch(search)) : null;
    if (view) out.push(view);
  }
  return out;
}

/** The old views to create on the server: one per name (any case), none the user has there. */
export function viewsToMove(legacy: readonly LegacyView[], mine: readonly SavedView[]): LegacyView[] {
  const taken = new Set(mine.map((v) => v.name.toLocaleLowerCase()));
  const out: LegacyView[] = [];
  for (const view of legacy) {
    const key = view.name.toLocaleLowerCase();
    if (taken.has(key)) continue;
    taken.add(key);
    out.push(view);
  }
  return out;
}

/** Every old view of `list` in `storage`, and the keys they came from. */
export function readLegacy(storage: Pick<Storage, "getItem">, list: string, userId: string): { keys: string[]; views: LegacyView[] } {
  const keys: string[] = [];
  const views: LegacyView[] = [];
  for (const key of legacyKeys(list, userId)) {
    let raw: string | null = null;
    try {
      raw = storage.getItem(key);
    } catch {
      // Storage blocked (a privacy mode): nothing to move.
    }
    if (raw === null) continue;
    keys.push(key);
    views.push(...parseLegacy(raw));
  }
  return { keys, views };
}
