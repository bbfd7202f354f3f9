import { describe, expect, it } from "vitest";

import { currentCursor, cursorReducer, initialPages } from "./cursorPages";

describe("cursor pages", () => {
  it("goes forward with the API's next cursor and back to where each page started", () => {
    let state = initialPages<string>();
    state = cursorReducer(state, { type: "next", cursor: "c2" });
    state = cursorReducer(state, { type: "next", cursor: "c3" });
    expect(currentCursor(state)).toBe("c3");
    state = cursorReducer(state, { type: "prev" });
    expect(currentCursor(state)).toBe("c2");
    state = cursorReducer(state, { type: "prev" });
    expect(currentCursor(state)).toBeNull();
    expect(cursorReducer(state, { type: "prev" })).toBe(state);
  });

  it("forgets later pages when going forward again from an earlier one", () => {
    let state = initialPages<number>();
    state = cursorReducer(state, { type: "next", cursor: 50 });
    state = cursorReducer(state, { type: "next", cursor: 100 });
    state = cursorReducer(state, { type: "prev" });
    state = cursorReducer(state, { type: "next", cursor: 99 });
    expect(state.starts).toEqual([null, 50, 99]);
  });

  it("starts over on reset", () => {
    const state = cursorReducer(cursorReducer(initialPages<string>(), { type: "next", cursor: "x" }), { type: "reset" });
    expect(state).toEqual(initialPages());
  });
});
