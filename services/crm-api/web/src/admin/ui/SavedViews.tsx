import { useId, useState } from "react";

import { useUser } from "../../auth/session";
import { Button } from "../../ui/Button";
import { loadViews, removeView, sameParams, storeViews, upsertView, viewsKey, type SavedView, type ViewParams } from "./savedViews";

/** Pick, save and delete named filter sets of one list (kept in this browser, per user). */
export function SavedViews({
  list,
  params,
  onApply,
}: {
  list: string;
  params: ViewParams;
  onApply: (params: ViewParams) => void;
}) {
  const user = useUser();
  const key = viewsKey(list, user.id);
  const [views, setViews] = useState<SavedView[]>(() => loadViews(window.localStorage, key));
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState("");
  const selectId = useId();
  const nameId = useId();
  const current = views.find((view) => sameParams(view.params, params));

  const save = (next: SavedView[]) => {
    setViews(next);
    storeViews(window.localStorage, key, next);
  };

  return (
    <div className="saved-views">
      <label htmlFor={selectId} className="visually-hidden">
        Saved view
      </label>
      <select
        id={selectId}
        className="select saved-views__select"
        value={current?.name ?? ""}
        onChange={(event) => {
          const view = views.find((v) => v.name === event.target.value);
          onApply(view ? view.params : {});
        }}
      >
        <option value="">{current ? "All (no view)" : views.length ? "Saved views…" : "No saved views"}</option>
        {views.map((view) => (
          <option key={view.name} value={view.name}>
            {view.name}
          </option>
        ))}
      </select>
      {naming ? (
        <form
          className="row"
          onSubmit={(event) => {
            event.preventDefault();
            if (!name.trim()) return;
            save(upsertView(views, { name, params }));
            setNaming(false);
            setName("");
          }}
        >
          <label htmlFor={nameId} className="visually-hidden">
            Name of the view
          </label>
          <input
            id={nameId}
            className="input saved-views__name"
            placeholder="Name this view"
            value={name}
            autoFocus
            maxLength={60}
            onChange={(event) => setName(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === "Escape") setNaming(false);
            }}
          />
          <Button small type="submit" variant="primary" disabled={!name.trim()}>
            Save
          </Button>
          <Button small variant="ghost" onClick={() => setNaming(false)}>
            Cancel
          </Button>
        </form>
      ) : current ? (
        <Button small variant="ghost" onClick={() => save(removeView(views, current.name))}>
          Delete view “{current.name}”
        </Button>
      ) : (
        <Button small variant="ghost" onClick={() => setNaming(true)}>
          Save view
        </Button>
      )}
    </div>
  );
}
