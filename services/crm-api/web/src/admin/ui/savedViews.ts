/**
 * Saved views of a list: named sets of its filters, kept in this browser per user (a preference,
 * never a secret). The filters themselves live in the URL, so a view is also a link.
 */
export type ViewParams = Record<string, string>;

export interface SavedView {
  name: string;
  params: ViewParams;
}

export function viewsKey(list: string, userId: string): string {
  return `lpcrm:views:${list}:${userId}`;
}

function isView(value: unknown): value is SavedView {
  if (typeof value !== "object" || value === null) return false;
  const view = value as { name?: unknown; params?: unknown };
  return (
    typeof view.name === "string" &&
    typeof view.params === "object" &&
    view.params !== null &&
    Object.values(view.params).every((v) => typeof v === "string")
  );
}

/** What was stored, ignoring anything malformed (an old version, a hand edit). */
export function parseViews(raw: string | null): SavedView[] {
  if (!raw) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter(isView) : [];
  } catch {
    return [];
  }
}

/** Adds or replaces the view of that name (names compare without case), sorted by name. */
export function upsertView(views: SavedView[], view: SavedView): SavedView[] {
  const name = view.name.trim();
  const rest = views.filter((v) => v.name.toLowerCase() !== name.toLowerCase());
  return [...rest, { name, params: view.params }].sort((a, b) => a.name.localeCompare(b.name));
}

export function removeView(views: SavedView[], name: string): SavedView[] {
  return views.filter((v) => v.name !== name);
}

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

export function loadViews(storage: Pick<Storage, "getItem">, key: string): SavedView[] {
  try {
    return parseViews(storage.getItem(key));
  } catch {
    return [];
  }
}

export function storeViews(storage: Pick<Storage, "setItem">, key: string, views: SavedView[]): void {
  try {
    storage.setItem(key, JSON.stringify(views));
  } catch {
    // Storage full or blocked (private mode): the view lasts for this page only.
  }
}
