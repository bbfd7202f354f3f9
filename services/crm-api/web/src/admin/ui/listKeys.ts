/**
 * Arrow keys through a list of items: the next index for a key, or null when the key is not one
 * of ours (so the browser keeps it). Home/End jump; the ends do not wrap.
 */
export function nextIndex(current: number, key: string, length: number): number | null {
  if (length === 0) return null;
  switch (key) {
    case "ArrowDown":
    case "j":
      return Math.min(length - 1, current < 0 ? 0 : current + 1);
    case "ArrowUp":
    case "k":
      return Math.max(0, current < 0 ? 0 : current - 1);
    case "Home":
      return 0;
    case "End":
      return length - 1;
    default:
      return null;
  }
}
