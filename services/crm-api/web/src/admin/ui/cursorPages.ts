/**
 * Keyset paging with a way back: the API gives only `next_cursor`, so the pages seen so far keep
 * the cursor each one started from. Pure reducer, tested on its own.
 */
export interface CursorPages<C> {
  /** The cursor each visited page started from; the first page starts from null. */
  starts: (C | null)[];
  index: number;
}

export type CursorAction<C> = { type: "next"; cursor: C } | { type: "prev" } | { type: "reset" };

export function initialPages<C>(): CursorPages<C> {
  return { starts: [null], index: 0 };
}

export function cursorReducer<C>(state: CursorPages<C>, action: CursorAction<C>): CursorPages<C> {
  switch (action.type) {
    case "next": {
      // Going forward from an earlier page forgets the pages after it: they may have changed.
      const starts = [...state.starts.slice(0, state.index + 1), action.cursor];
      return { starts, index: state.index + 1 };
    }
    case "prev":
      return state.index === 0 ? state : { ...state, index: state.index - 1 };
    case "reset":
      return state.index === 0 && state.starts.length === 1 ? state : initialPages<C>();
  }
}

export function currentCursor<C>(state: CursorPages<C>): C | null {
  return state.starts[state.index] ?? null;
}
