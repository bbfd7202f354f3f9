/**
 * Saved views of a list: a name for a search + filters + sort, kept per user in localStorage.
 * crm-api has no saved-view API for these lists (the grid's views are its own), so a view lives
 * in this browser only.
 */
export interface SavedView {
  name: string;
  /** The list's query string (listState.toSearchParams), without "?". */
  search: string;
}

export function viewsKey(userId: string, list: string): string {
  return `lpcrm.views.v1.${userId}.${list}`;
}

function isView(value: unknown): value is SavedView {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as SavedView).name === "string" &&
    typeof (value as SavedView).search === "string"
  );
}

export function loadViews(storage: Storage, userId: string, list: string): SavedView[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(viewsKey(userId, list)) ?? "[]");
    return Array.isArray(parsed) ? parsed.filter(isView) : [];
  } catch {
    return [];
  }
}

function store(storage: Storage, userId: string, list: string, views: SavedView[]): SavedView[] {
  storage.setItem(viewsKey(userId, list), JSON.stringify(views));
  return views;
}

/** Adds a view, or replaces the one of the same name (any case); sorted by name. */
export function saveView(storage: Storage, userId: string, list: string, view: SavedView): SavedView[] {
  const name = view.name.trim();
  if (!name) return loadViews(storage, userId, list);
  const others = loadViews(storage, userId, list).filter((v) => v.name.toLocaleLowerCase() !== name.toLocaleLowerCase());
  const views = [...others, { name, search: view.search }].sort((a, b) => a.name.localeCompare(b.name));
  return store(storage, userId, list, views);
}

export function deleteView(storage: Storage, userId: string, list: string, name: string): SavedView[] {
  return store(storage, userId, list, loadViews(storage, userId, list).filter((v) => v.name !== name));
}
