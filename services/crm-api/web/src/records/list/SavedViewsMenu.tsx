/** Name the list's current search + filters + sort, and recall it later (this browser, this user). */
import { useEffect, useId, useRef, useState } from "react";

import { useUser } from "../../auth/session";
import { Button } from "../../ui/Button";
import { deleteView, loadViews, saveView, type SavedView } from "./savedViews";

interface Props {
  list: string;
  /** The current query string, without "?". */
  current: string;
  onApply: (view: SavedView) => void;
}

export function SavedViewsMenu({ list, current, onApply }: Props) {
  const user = useUser();
  const [views, setViews] = useState(() => loadViews(window.localStorage, user.id, list));
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const panelId = useId();
  const nameId = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const active = views.find((view) => view.search === current);

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      if (rootRef.current && !rootRef.current.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", onPointer);
    return () => document.removeEventListener("pointerdown", onPointer);
  }, [open]);

  const close = () => {
    setOpen(false);
    buttonRef.current?.focus();
  };

  return (
    <div
      ref={rootRef}
      className="records-menu"
      onKeyDown={(event) => {
        if (event.key === "Escape" && open) {
          event.stopPropagation();
          close();
        }
      }}
    >
      <button ref={buttonRef} type="button" className="btn" aria-expanded={open} aria-controls={panelId} onClick={() => setOpen(!open)}>
        {active ? `View: ${active.name}` : "Saved views"} <span aria-hidden="true">▾</span>
      </button>
      <div id={panelId} className="records-menu__panel card" hidden={!open}>
        {views.length === 0 ? (
          <p className="muted records-menu__empty">No saved views yet. Set a search, filters and a sort, then name them below.</p>
        ) : (
          <ul className="records-menu__list" aria-label="Saved views">
            {views.map((view) => (
              <li key={view.name} className="records-menu__item">
                <button
                  type="button"
                  className="records-menu__apply"
                  aria-current={view.search === current ? "true" : undefined}
                  onClick={() => {
                    onApply(view);
                    close();
                  }}
                >
                  {view.name}
                </button>
                <Button
                  small
                  variant="ghost"
                  aria-label={`Delete view ${view.name}`}
                  onClick={() => setViews(deleteView(window.localStorage, user.id, list, view.name))}
                >
                  ✕
                </Button>
              </li>
            ))}
          </ul>
        )}
        <form
          className="records-menu__save"
          onSubmit={(event) => {
            event.preventDefault();
            if (!name.trim()) return;
            setViews(saveView(window.localStorage, user.id, list, { name, search: current }));
            setName("");
          }}
        >
          <label className="field__label" htmlFor={nameId}>
            Save the current view as
          </label>
          <div className="row">
            <input id={nameId} className="input records-menu__name" value={name} maxLength={80} onChange={(event) => setName(event.target.value)} placeholder="e.g. My prospects in Germany" />
            <Button type="submit" small variant="primary" disabled={!name.trim()}>
              Save
            </Button>
          </div>
        </form>
      </div>
    </div>
  );
}
