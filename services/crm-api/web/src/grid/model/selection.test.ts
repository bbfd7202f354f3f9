import { describe, expect, it } from "vitest";

import { commandForKey, inRange, movePos, moveSelection, rangeOf, single, type KeyLike } from "./selection";

const bounds = { rows: 10, cols: 4, page: 3 };
const key = (k: string, extra: Partial<KeyLike> = {}): KeyLike => ({
  key: k,
  shiftKey: false,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...extra,
});

describe("movePos", () => {
  it("stays inside the grid", () => {
    expect(movePos({ row: 0, col: 0 }, "up", bounds)).toEqual({ row: 0, col: 0 });
    expect(movePos({ row: 9, col: 3 }, "right", bounds)).toEqual({ row: 9, col: 3 });
    expect(movePos({ row: 8, col: 1 }, "pageDown", bounds)).toEqual({ row: 9, col: 1 });
  });

  it("wraps Tab onto the next row and Shift+Tab onto the previous one", () => {
    expect(movePos({ row: 2, col: 3 }, "next", bounds)).toEqual({ row: 3, col: 0 });
    expect(movePos({ row: 2, col: 0 }, "previous", bounds)).toEqual({ row: 1, col: 3 });
    expect(movePos({ row: 9, col: 3 }, "next", bounds)).toEqual({ row: 9, col: 3 });
  });

  it("jumps to the ends", () => {
    expect(movePos({ row: 4, col: 2 }, "rowStart", bounds)).toEqual({ row: 4, col: 0 });
    expect(movePos({ row: 4, col: 2 }, "gridEnd", bounds)).toEqual({ row: 9, col: 3 });
  });
});

describe("selection", () => {
  it("extends a range with Shift and collapses without", () => {
    let selection = single({ row: 1, col: 1 });
    selection = moveSelection(selection, "down", bounds, true);
    selection = moveSelection(selection, "right", bounds, true);
    expect(rangeOf(selection)).toEqual({ top: 1, bottom: 2, left: 1, right: 2 });
    expect(inRange(rangeOf(selection), 2, 2)).toBe(true);
    expect(inRange(rangeOf(selection), 0, 1)).toBe(false);
    selection = moveSelection(selection, "left", bounds);
    expect(selection).toEqual(single({ row: 2, col: 1 }));
  });

  it("orders a range drawn upwards", () => {
    expect(rangeOf({ anchor: { row: 5, col: 3 }, focus: { row: 2, col: 0 } })).toEqual({ top: 2, bottom: 5, left: 0, right: 3 });
  });
});

describe("commandForKey", () => {
  it("maps arrows, Shift and Ctrl", () => {
    expect(commandForKey(key("ArrowDown"))).toEqual({ type: "move", move: "down", extend: false });
    expect(commandForKey(key("ArrowRight", { shiftKey: true }))).toEqual({ type: "move", move: "right", extend: true });
    expect(commandForKey(key("ArrowUp", { metaKey: true }))).toEqual({ type: "move", move: "gridStart", extend: false });
  });

  it("edits on Enter, F2 or a typed character", () => {
    expect(commandForKey(key("Enter"))).toEqual({ type: "edit" });
    expect(commandForKey(key("F2"))).toEqual({ type: "edit" });
    expect(commandForKey(key("7"))).toEqual({ type: "edit", initial: "7" });
  });

  it("undoes on Ctrl+Z or Cmd+Z and leaves copy and paste to the clipboard events", () => {
    expect(commandForKey(key("z", { ctrlKey: true }))).toEqual({ type: "undo" });
    expect(commandForKey(key("z", { metaKey: true }))).toEqual({ type: "undo" });
    expect(commandForKey(key("c", { ctrlKey: true }))).toBeNull();
    expect(commandForKey(key("v", { metaKey: true }))).toBeNull();
  });

  it("moves a row with Alt+arrows", () => {
    expect(commandForKey(key("ArrowUp", { altKey: true }))).toEqual({ type: "moveRow", direction: -1 });
  });
});
