import { useCallback, useMemo, useState } from "react";
import { useSearchParams } from "react-router";

import { cleanParams, type ViewParams } from "../../views/savedViews";
import { currentCursor, cursorReducer, initialPages, type CursorAction } from "./cursorPages";

/**
 * A list's filters in the URL (so a filtered list is a link and a saved view is a set of params),
 * with defaults for those not given. Changing a filter goes back to the first page.
 */
export function useListParams<K extends string>(defaults: Record<K, string>) {
  const [search, setSearch] = useSearchParams();
  const values = useMemo(() => {
    const out = { ...defaults };
    for (const key of Object.keys(defaults) as K[]) {
      const value = search.get(key);
      if (value !== null) out[key] = value;
    }
    return out;
    // defaults is a literal at each call site: its keys never change.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [search]);

  const set = useCallback(
    (patch: Partial<Record<K, string>>) => {
      setSearch(
        (previous) => {
          const next = new URLSearchParams(previous);
          for (const [key, value] of Object.entries(patch) as [K, string | undefined][]) {
            if (value === undefined || value === defaults[key]) next.delete(key);
            else next.set(key, value);
          }
          return next;
        },
        { replace: true },
      );
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [setSearch],
  );

  const replaceAll = useCallback(
    (params: ViewParams) => {
      const next = new URLSearchParams();
      for (const [key, value] of Object.entries(cleanParams(params))) {
        if (key in defaults && value !== defaults[key as K]) next.set(key, value);
      }
      setSearch(next, { replace: true });
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [setSearch],
  );

  return { values, set, replaceAll };
}

/** Cursor paging that starts over whenever `resetKey` (the filters, serialized) changes. */
export function useCursorPages<C>(resetKey: string) {
  const [state, setState] = useState(() => ({ key: resetKey, pages: initialPages<C>() }));
  // New filters mean page one. Adjusting state while rendering (React's documented pattern for
  // "reset on prop change") means no request ever goes out with the old filter's cursor.
  let pages = state.pages;
  if (state.key !== resetKey) {
    pages = initialPages<C>();
    setState({ key: resetKey, pages });
  }
  const apply = (action: CursorAction<C>) =>
    setState((s) => ({ key: s.key, pages: cursorReducer<C>(s.pages, action) }));
  return {
    cursor: currentCursor(pages),
    page: pages.index + 1,
    hasPrev: pages.index > 0,
    next: (cursor: C) => apply({ type: "next", cursor }),
    prev: () => apply({ type: "prev" }),
    reset: () => apply({ type: "reset" }),
  };
}
