/**
 * Saved views of a list: a name and the list's query string, kept in localStorage (a
 * preference of this browser, never a secret). Pure helpers plus a small store.
 */
export interface SavedView {
  name: string;
  search: string;
}

/** The query string without paging and in a stable order, so equal filters compare equal. */
export function normalizeSearch(search: string, drop: readonly string[] = ["cursor"]): string {
  const params = new URLSearchParams(search);
  for (const key of drop) params.delete(key);
  const entries = [...params.entries()].filter(([, value]) => value !== "").sort(([a, av], [b, bv]) => a.localeCompare(b) || av.localeCompare(bv));
  return new URLSearchParams(entries).toString();
}

/** Adds or replaces (by name, any case) a view; views stay sorted by name. */
export function upsertView(views: readonly SavedView[], view: SavedView): SavedView[] {
  const name = view.name.trim();
  if (!name) return [...views];
  const rest = views.filter((v) => v.name.toLowerCase() !== name.toLowerCase());
  return [...rest, { name, search: normalizeSearch(view.search) }].sort((a, b) => a.name.localeCompare(b.name));
}

export function removeView(views: readonly SavedView[], name: string): SavedView[] {
  return views.filter((v) => v.name !== name);
}

export function parseViews(raw: string | null): SavedView[] {
  if (!raw) return [];
  try {
    const value: unknown = JSON.parse(raw);
    if (!Array.isArray(value)) return [];
    return value.filter(
      (v): v is SavedView => typeof v === "object" && v !== null && typeof (v as SavedView).name === "string" && typeof (v as SavedView).search === "string",
    );
  } catch {
    return [];
  }
}

export function loadViews(key: string): SavedView[] {
  try {
    return parseViews(localStorage.getItem(key));
  } catch {
    return [];
  }
}

export function storeViews(key: string, views: readonly SavedView[]): void {
  try {
    localStorage.setItem(key, JSON.stringify(views));
  } catch {
    // Private mode or a full quota: the views last for this page only.
  }
}
