import { describe, expect, it } from "vitest";

import { nextIndex } from "./listKeys";

describe("nextIndex", () => {
  it("moves down and up without wrapping", () => {
    expect(nextIndex(0, "ArrowDown", 3)).toBe(1);
    expect(nextIndex(2, "ArrowDown", 3)).toBe(2);
    expect(nextIndex(0, "ArrowUp", 3)).toBe(0);
    expect(nextIndex(2, "k", 3)).toBe(1);
    expect(nextIndex(1, "j", 3)).toBe(2);
  });

  it("starts at the top when nothing is selected, and jumps with Home and End", () => {
    expect(nextIndex(-1, "ArrowDown", 3)).toBe(0);
    expect(nextIndex(1, "Home", 3)).toBe(0);
    expect(nextIndex(0, "End", 3)).toBe(2);
  });

  it("leaves other keys and empty lists to the browser", () => {
    expect(nextIndex(0, "Enter", 3)).toBeNull();
    expect(nextIndex(0, "ArrowDown", 0)).toBeNull();
  });
});
