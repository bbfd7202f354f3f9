/** Keyboard rules of the combobox (WAI-ARIA APG "list autocomplete"), kept pure for tests. */
export type ComboKey = "ArrowDown" | "ArrowUp" | "Home" | "End";

/** The option that becomes active after a key, in a list of `count` (-1: none). */
export function moveActive(active: number, count: number, key: ComboKey): number {
  if (count === 0) return -1;
  switch (key) {
    case "ArrowDown":
      return active < 0 || active >= count - 1 ? 0 : active + 1;
    case "ArrowUp":
      return active <= 0 ? count - 1 : active - 1;
    case "Home":
      return 0;
    case "End":
      return count - 1;
  }
}

export function isComboKey(key: string): key is ComboKey {
  return key === "ArrowDown" || key === "ArrowUp" || key === "Home" || key === "End";
}
