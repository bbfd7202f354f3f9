/**
 * A searchable picker of records (an organization, a contact): an input with role="combobox"
 * over a listbox of the server's matches, driven entirely from the keyboard (arrows, Home, End,
 * Enter to pick, Escape to close) or the mouse.
 */
import { useQuery } from "@tanstack/react-query";
import { useId, useState, type KeyboardEvent } from "react";

import { isComboKey, moveActive } from "./combobox";
import { useDebounced } from "./useDebounced";

export interface Choice {
  id: string;
  label: string;
  detail?: string | undefined;
}

interface Props {
  label: string;
  /** The chosen record, or null. */
  value: Choice | null;
  onChange: (choice: Choice | null) => void;
  /** Finds the matches of what was typed (an empty string: the first few). */
  search: (text: string) => Promise<Choice[]>;
  /** Cache key of the searches, e.g. "organizations". */
  cacheKey: string;
  placeholder?: string;
  error?: string | undefined;
  hint?: string | undefined;
  /** Label hidden visually (a filter in a toolbar); still read by screen readers. */
  compact?: boolean;
  required?: boolean;
}

export function Combobox({ label, value, onChange, search, cacheKey, placeholder, error, hint, compact = false, required = false }: Props) {
  const id = useId();
  const listId = `${id}-list`;
  const [text, setText] = useState(value?.label ?? "");
  const [shownValue, setShownValue] = useState(value);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  // A new value from outside (a reset, a loaded record) shows its label.
  if (value?.id !== shownValue?.id || value?.label !== shownValue?.label) {
    setShownValue(value);
    setText(value?.label ?? "");
  }
  const query = useDebounced(text.trim(), 200);
  const searchText = value && text === value.label ? "" : query;
  const matches = useQuery({
    queryKey: [cacheKey, "pick", searchText],
    queryFn: () => search(searchText),
    enabled: open,
    staleTime: 30_000,
  });
  const options = matches.data ?? [];

  const pick = (choice: Choice) => {
    onChange(choice);
    setText(choice.label);
    setOpen(false);
    setActive(-1);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (isComboKey(event.key) && (open || event.key === "ArrowDown")) {
      event.preventDefault();
      setOpen(true);
      setActive((current) => moveActive(current, options.length, event.key as Parameters<typeof moveActive>[2]));
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault();
      const choice = options[active];
      if (choice) pick(choice);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      event.stopPropagation();
      setOpen(false);
      setActive(-1);
    }
  };

  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  const activeId = open && active >= 0 && options[active] ? `${id}-opt-${active}` : undefined;

  return (
    <div className="field records-combo">
      <label className={compact ? "visually-hidden" : "field__label"} htmlFor={id}>
        {label}
      </label>
      <div className="records-combo__control">
        <input
          id={id}
          className="input"
          role="combobox"
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={activeId}
          aria-describedby={describedBy}
          aria-invalid={error ? true : undefined}
          aria-required={required || undefined}
          autoComplete="off"
          placeholder={placeholder}
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            setOpen(true);
            setActive(-1);
            if (value && event.target.value === "") onChange(null);
          }}
          onFocus={() => setOpen(true)}
          onBlur={() => {
            setOpen(false);
            // Leaving with half-typed text keeps the record that was chosen.
            setText(value?.label ?? "");
          }}
          onKeyDown={onKeyDown}
        />
        {value && (
          <button
            type="button"
            className="records-combo__clear"
            aria-label={`Clear ${label}`}
            onClick={() => {
              onChange(null);
              setText("");
            }}
          >
            ✕
          </button>
        )}
      </div>
      {open && (matches.isPending || options.length === 0) && (
        <div className="records-combo__list records-combo__note">{matches.isPending ? "Searching…" : "No match"}</div>
      )}
      <ul id={listId} role="listbox" aria-label={label} className="records-combo__list" hidden={!open || options.length === 0}>
        {options.map((choice, index) => (
          <li
            key={choice.id}
            id={`${id}-opt-${index}`}
            role="option"
            aria-selected={index === active}
            className={index === active ? "records-combo__option is-active" : "records-combo__option"}
            // mousedown, not click: the input's blur would close the list first.
            onMouseDown={(event) => {
              event.preventDefault();
              pick(choice);
            }}
          >
            <span>{choice.label}</span>
            {choice.detail && <span className="muted"> · {choice.detail}</span>}
          </li>
        ))}
      </ul>
      {hint && (
        <span className="field__hint" id={hintId}>
          {hint}
        </span>
      )}
      {error && (
        <span className="field__error" id={errorId} role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
