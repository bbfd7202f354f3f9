import { useId, useState } from "react";
import { useSearchParams } from "react-router";

import { Button } from "../ui/Button";
import { loadViews, normalizeSearch, removeView, storeViews, upsertView, type SavedView } from "./savedViews";

/** A list's saved views: pick one, save the current filters under a name, delete one. */
export function SavedViews({ storageKey }: { storageKey: string }) {
  const [params, setParams] = useSearchParams();
  const [views, setViews] = useState<SavedView[]>(() => loadViews(storageKey));
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState("");
  const selectId = useId();
  const nameId = useId();
  const current = normalizeSearch(params.toString());
  const active = views.find((view) => view.search === current);

  const update = (next: SavedView[]) => {
    setViews(next);
    storeViews(storageKey, next);
  };

  return (
    <div className="row saved-views">
      <label htmlFor={selectId} className="field__label">
        Saved view
      </label>
      <select
        id={selectId}
        className="select"
        style={{ width: "auto" }}
        value={active?.name ?? ""}
        onChange={(event) => {
          const view = views.find((v) => v.name === event.target.value);
          if (view) setParams(new URLSearchParams(view.search));
        }}
      >
        <option value="">{active ? "—" : "Current filters"}</option>
        {views.map((view) => (
          <option key={view.name} value={view.name}>
            {view.name}
          </option>
        ))}
      </select>
      {active && (
        <Button small variant="ghost" onClick={() => update(removeView(views, active.name))}>
          Delete view
        </Button>
      )}
      {naming ? (
        <form
          className="row"
          onSubmit={(event) => {
            event.preventDefault();
            update(upsertView(views, { name, search: current }));
            setNaming(false);
            setName("");
          }}
        >
          <label htmlFor={nameId} className="visually-hidden">
            View name
          </label>
          <input id={nameId} className="input" style={{ width: "12rem" }} placeholder="Name this view" value={name} onChange={(e) => setName(e.target.value)} required autoFocus />
          <Button small type="submit" variant="primary">
            Save
          </Button>
          <Button small onClick={() => setNaming(false)}>
            Cancel
          </Button>
        </form>
      ) : (
        !active && (
          <Button small onClick={() => setNaming(true)}>
            Save view
          </Button>
        )
      )}
    </div>
  );
}
