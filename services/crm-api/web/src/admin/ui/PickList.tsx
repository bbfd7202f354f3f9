import { useRef, type KeyboardEvent, type ReactNode } from "react";

import { nextIndex } from "./listKeys";

/**
 * A list of selectable items (the left side of a list/detail screen). Each item is a real button;
 * arrow keys (and j/k, Home, End) move the selection and the focus.
 */
export function PickList<T>({
  items,
  getKey,
  selectedKey,
  onSelect,
  render,
  label,
}: {
  items: T[];
  getKey: (item: T) => string;
  selectedKey: string | null;
  onSelect: (item: T) => void;
  render: (item: T) => ReactNode;
  label: string;
}) {
  const ref = useRef<HTMLUListElement>(null);
  const onKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const current = items.findIndex((item) => getKey(item) === selectedKey);
    const next = nextIndex(current, event.key, items.length);
    if (next === null) return;
    const item = items[next];
    if (!item) return;
    event.preventDefault();
    onSelect(item);
    ref.current?.querySelectorAll<HTMLButtonElement>(".pick-list__button")[next]?.focus();
  };
  return (
    <ul className="pick-list" aria-label={label} ref={ref} onKeyDown={onKeyDown}>
      {items.map((item) => {
        const key = getKey(item);
        return (
          <li key={key}>
            <button
              type="button"
              className="pick-list__button"
              aria-current={key === selectedKey ? "true" : undefined}
              onClick={() => onSelect(item)}
            >
              {render(item)}
            </button>
          </li>
        );
      })}
    </ul>
  );
}
