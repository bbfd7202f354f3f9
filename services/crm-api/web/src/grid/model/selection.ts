/**
 * The spreadsheet's selection: an active cell (the focus) and an anchor; the range between them is
 * selected. Positions are indexes into what is shown (rows in display order, data columns in
 * display order: column 0 is the investor column). Pure, so the keyboard model is testable.
 */
export interface Pos {
  row: number;
  col: number;
}

export interface Selection {
  anchor: Pos;
  focus: Pos;
}

export interface Bounds {
  rows: number;
  cols: number;
  /** rows a PageUp/PageDown moves */
  page: number;
}

export interface Range {
  top: number;
  left: number;
  bottom: number;
  right: number;
}

export function single(pos: Pos): Selection {
  return { anchor: pos, focus: pos };
}

export function rangeOf(selection: Selection): Range {
  return {
    top: Math.min(selection.anchor.row, selection.focus.row),
    bottom: Math.max(selection.anchor.row, selection.focus.row),
    left: Math.min(selection.anchor.col, selection.focus.col),
    right: Math.max(selection.anchor.col, selection.focus.col),
  };
}

export function inRange(range: Range, row: number, col: number): boolean {
  return row >= range.top && row <= range.bottom && col >= range.left && col <= range.right;
}

export function rangeSize(range: Range): { rows: number; cols: number } {
  return { rows: range.bottom - range.top + 1, cols: range.right - range.left + 1 };
}

export function clamp(pos: Pos, bounds: Bounds): Pos {
  return {
    row: Math.max(0, Math.min(bounds.rows - 1, pos.row)),
    col: Math.max(0, Math.min(bounds.cols - 1, pos.col)),
  };
}

export type Move =
  | "up"
  | "down"
  | "left"
  | "right"
  | "rowStart"
  | "rowEnd"
  | "gridStart"
  | "gridEnd"
  | "pageUp"
  | "pageDown"
  | "next"
  | "previous";

/** Where a move takes the active cell; Tab ("next") wraps onto the next row like a spreadsheet. */
export function movePos(pos: Pos, move: Move, bounds: Bounds): Pos {
  const { row, col } = pos;
  switch (move) {
    case "up":
      return clamp({ row: row - 1, col }, bounds);
    case "down":
      return clamp({ row: row + 1, col }, bounds);
    case "left":
      return clamp({ row, col: col - 1 }, bounds);
    case "right":
      return clamp({ row, col: col + 1 }, bounds);
    case "rowStart":
      return { row, col: 0 };
    case "rowEnd":
      return { row, col: Math.max(0, bounds.cols - 1) };
    case "gridStart":
      return { row: 0, col: 0 };
    case "gridEnd":
      return clamp({ row: bounds.rows - 1, col: bounds.cols - 1 }, bounds);
    case "pageUp":
      return clamp({ row: row - bounds.page, col }, bounds);
    case "pageDown":
      return clamp({ row: row + bounds.page, col }, bounds);
    case "next":
      if (col < bounds.cols - 1) return { row, col: col + 1 };
      return row < bounds.rows - 1 ? { row: row + 1, col: 0 } : pos;
    case "previous":
      if (col > 0) return { row, col: col - 1 };
      return row > 0 ? { row: row - 1, col: bounds.cols - 1 } : pos;
  }
}

/** A move of the active cell; with `extend` (Shift) the anchor stays and the range grows. */
export function moveSelection(selection: Selection, move: Move, bounds: Bounds, extend = false): Selection {
  const focus = movePos(selection.focus, move, bounds);
  return extend ? { anchor: selection.anchor, focus } : single(focus);
}

export interface KeyLike {
  key: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

export type Command =
  | { type: "move"; move: Move; extend: boolean }
  | { type: "edit"; initial?: string }
  | { type: "clear" }
  | { type: "undo" }
  | { type: "selectAll" }
  | { type: "moveRow"; direction: -1 | 1 }
  | { type: "collapse" };

/**
 * What a key does while the grid (not an editor) has focus; null when the grid leaves the key
 * alone (so the browser, or a copy/paste listener, handles it). Ctrl stands for Cmd on a Mac.
 */
export function commandForKey(event: KeyLike): Command | null {
  const mod = event.ctrlKey || event.metaKey;
  const extend = event.shiftKey;
  if (event.altKey && !mod) {
    if (event.key === "ArrowUp") return { type: "moveRow", direction: -1 };
    if (event.key === "ArrowDown") return { type: "moveRow", direction: 1 };
    return null;
  }
  switch (event.key) {
    case "ArrowUp":
      return { type: "move", move: mod ? "gridStart" : "up", extend };
    case "ArrowDown":
      return { type: "move", move: mod ? "gridEnd" : "down", extend };
    case "ArrowLeft":
      return { type: "move", move: mod ? "rowStart" : "left", extend };
    case "ArrowRight":
      return { type: "move", move: mod ? "rowEnd" : "right", extend };
    case "Home":
      return { type: "move", move: mod ? "gridStart" : "rowStart", extend };
    case "End":
      return { type: "move", move: mod ? "gridEnd" : "rowEnd", extend };
    case "PageUp":
      return { type: "move", move: "pageUp", extend };
    case "PageDown":
      return { type: "move", move: "pageDown", extend };
    case "Tab":
      return { type: "move", move: event.shiftKey ? "previous" : "next", extend: false };
    case "Enter":
    case "F2":
      return mod ? null : { type: "edit" };
    case "Delete":
    case "Backspace":
      return mod ? null : { type: "clear" };
    case "Escape":
      return { type: "collapse" };
  }
  if (mod && !event.shiftKey && event.key.toLowerCase() === "z") return { type: "undo" };
  if (mod && event.key.toLowerCase() === "a") return { type: "selectAll" };
  // A printable character starts editing with it, as in a spreadsheet.
  if (!mod && event.key.length === 1 && event.key !== " ") return { type: "edit", initial: event.key };
  return null;
}
