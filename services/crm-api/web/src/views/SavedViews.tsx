/**
 * The saved views of a list, in one menu for every list of the app: apply one, save the current
 * filters under a name (yours, or shared with the team), rename, share or stop sharing, move,
 * delete with undo. Views live on the server (/api/views); a shared view says whose it is.
 */
import "./views.css";

import { useEffect, useId, useRef, useState } from "react";
import { useSearchParams } from "react-router";

import { isAdmin, useUser } from "../auth/session";
import { Button } from "../ui/Button";
import { useToast } from "../ui/toast";
import { activeView, cleanParams, findByName, NAME_MAX, paramsFromSearch, reorder, searchFromParams, splitViews, type SavedView, type ViewParams } from "./savedViews";
import { useMoveLocalViews, useSavedViews } from "./useSavedViews";

interface Props {
  /** Which list: a slug crm-api keeps the views under ("contacts", "audit", "follow-ups"). */
  list: string;
  /** The list's current query parameters. */
  params: ViewParams;
  onApply: (params: ViewParams) => void;
}

export function SavedViews({ list, params, onApply }: Props) {
  const user = useUser();
  const toast = useToast();
  const { views, create, update, updateMany, remove, reason } = useSavedViews(list);
  useMoveLocalViews(list, views.data);
  const [open, setOpen] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const panelId = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const all = views.data ?? [];
  const { mine, shared } = splitViews(all, user.id);
  const active = activeView([...mine, ...shared], params);
  const admin = isAdmin(user);

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      if (rootRef.current && !rootRef.current.contains(event.target as Node)) setOpen(false);
    };
    // Escape anywhere: after a save or a delete, focus may have left the panel (a disabled
    // button gives it up to the page).
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape" || event.defaultPrevented) return;
      event.preventDefault();
      setOpen(false);
      setEditing(null);
      buttonRef.current?.focus();
    };
    document.addEventListener("pointerdown", onPointer);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("pointerdown", onPointer);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);

  const close = () => {
    setOpen(false);
    setEditing(null);
    buttonRef.current?.focus();
  };

  const item = (view: SavedView, index: number, group: SavedView[]) => {
    const own = view.owner_id === user.id;
    const isEditing = editing === view.id;
    return (
      <li key={view.id} className="views-menu__item">
        <div className="views-menu__line">
          <button
            type="button"
            className="views-menu__apply"
            aria-current={view.id === active?.id ? "true" : undefined}
            onClick={() => {
              onApply(cleanParams(view.params));
              close();
            }}
          >
            <span className="views-menu__name">{view.name}</span>
            {own ? view.is_shared && <span className="badge badge--accent">Shared</span> : <span className="views-menu__owner">shared by {view.owner_name}</span>}
          </button>
          {(own || admin) && (
            <Button small variant="ghost" aria-expanded={isEditing} aria-label={`Edit view ${view.name}`} onClick={() => setEditing(isEditing ? null : view.id)}>
              ⋯
            </Button>
          )}
        </div>
        {isEditing && (
          <ViewEditor
            view={view}
            canMoveUp={own && index > 0}
            canMoveDown={own && index < group.length - 1}
            pending={update.isPending || remove.isPending}
            onRename={(name) =>
              update.mutateAsync({ view, changes: { name } }).then(
                () => null,
                (error: unknown) => reason(error),
              )
            }
            onShare={() =>
              update.mutate(
                { view, changes: { is_shared: !view.is_shared } },
                {
                  onSuccess: (changed) => toast.show(changed.is_shared ? `“${changed.name}” is shared with the team` : `“${changed.name}” is yours only now`),
                  onError: (error) => toast.show(`Could not change “${view.name}”: ${reason(error)}`, { tone: "error" }),
                },
              )
            }
            onMove={(delta) => void updateMany(reorder(mine, view.id, delta).map(({ view: v, position }) => ({ view: v, changes: { position } })))}
            onDelete={() => {
              setEditing(null);
              remove.mutate(view);
              buttonRef.current?.focus();
            }}
          />
        )}
      </li>
    );
  };

  return (
    <div
      ref={rootRef}
      className="views-menu"
      onKeyDown={(event) => {
        if (event.key === "Escape" && open) {
          // Not the page's own Escape (a dialog, a shortcut) while the menu is open.
          event.stopPropagation();
          event.preventDefault();
          close();
        }
      }}
    >
      <button ref={buttonRef} type="button" className="btn" aria-expanded={open} aria-controls={panelId} onClick={() => setOpen(!open)}>
        {active ? `View: ${active.name}` : "Saved views"} <span aria-hidden="true">▾</span>
      </button>
      <div id={panelId} className="views-menu__panel card" hidden={!open} role="group" aria-label="Saved views">
        {views.isPending ? (
          <p className="muted views-menu__note">Loading views…</p>
        ) : views.isError ? (
          <p className="form__error views-menu__note" role="alert">
            Could not load the views: {reason(views.error)}.{" "}
            <Button small onClick={() => void views.refetch()}>
              Try again
            </Button>
          </p>
        ) : all.length === 0 ? (
          <p className="muted views-menu__note">No saved views yet. Set a search, filters and a sort, then name them below.</p>
        ) : (
          <>
            {mine.length > 0 && (
              <section aria-label="My views">
                <h3 className="views-menu__heading">My views</h3>
                <ul className="views-menu__list">{mine.map((view, index) => item(view, index, mine))}</ul>
              </section>
            )}
            {shared.length > 0 && (
              <section aria-label="Shared by the team">
                <h3 className="views-menu__heading">Shared by the team</h3>
                <ul className="views-menu__list">{shared.map((view, index) => item(view, index, shared))}</ul>
              </section>
            )}
          </>
        )}
        <SaveForm
          pending={create.isPending || update.isPending}
          onSave={async (name, isShared) => {
            const existing = findByName(mine, name);
            const current = cleanParams(params);
            try {
              if (existing) {
                // Replacing a view's filters never unshares it; sharing it is the checkbox's job.
                await update.mutateAsync({ view: existing, changes: isShared ? { params: current, is_shared: true } : { params: current } });
                toast.show(`Updated view “${existing.name}”`);
              } else await create.mutateAsync({ name: name.trim(), params: current, is_shared: isShared });
              return null;
            } catch (error) {
              return reason(error);
            }
          }}
          replaces={(name) => findByName(mine, name) !== undefined}
        />
      </div>
    </div>
  );
}

function SaveForm({ pending, onSave, replaces }: { pending: boolean; onSave: (name: string, isShared: boolean) => Promise<string | null>; replaces: (name: string) => boolean }) {
  const [name, setName] = useState("");
  const [isShared, setShared] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const nameId = useId();
  const errorId = useId();
  return (
    <form
      className="views-menu__save"
      onSubmit={(event) => {
        event.preventDefault();
        if (!name.trim()) return;
        void onSave(name, isShared).then((problem) => {
          setError(problem);
          if (problem === null) {
            setName("");
            setShared(false);
          }
        });
      }}
    >
      <label className="field__label" htmlFor={nameId}>
        Save the current view as
      </label>
      <div className="row views-menu__save-row">
        <input
          id={nameId}
          className="input views-menu__input"
          value={name}
          maxLength={NAME_MAX}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          onChange={(event) => {
            setName(event.target.value);
            setError(null);
          }}
          placeholder="e.g. My prospects in Germany"
        />
        <Button type="submit" small variant="primary" disabled={!name.trim() || pending}>
          {name.trim() && replaces(name) ? "Replace" : "Save"}
        </Button>
      </div>
      <label className="views-menu__check">
        <input type="checkbox" checked={isShared} onChange={(event) => setShared(event.target.checked)} /> Share with the team
      </label>
      {error && (
        <p id={errorId} className="field__error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function ViewEditor({
  view,
  canMoveUp,
  canMoveDown,
  pending,
  onRename,
  onShare,
  onMove,
  onDelete,
}: {
  view: SavedView;
  canMoveUp: boolean;
  canMoveDown: boolean;
  pending: boolean;
  onRename: (name: string) => Promise<string | null>;
  onShare: () => void;
  onMove: (delta: -1 | 1) => void;
  onDelete: () => void;
}) {
  const [name, setName] = useState(view.name);
  const [error, setError] = useState<string | null>(null);
  const nameId = useId();
  const errorId = useId();
  return (
    <div className="views-menu__editor">
      <form
        className="row views-menu__save-row"
        onSubmit={(event) => {
          event.preventDefault();
          if (!name.trim() || name.trim() === view.name) return;
          void onRename(name.trim()).then(setError);
        }}
      >
        <label className="visually-hidden" htmlFor={nameId}>
          New name of {view.name}
        </label>
        <input
          id={nameId}
          className="input views-menu__input"
          value={name}
          maxLength={NAME_MAX}
          autoFocus
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          onChange={(event) => {
            setName(event.target.value);
            setError(null);
          }}
        />
        <Button type="submit" small disabled={pending || !name.trim() || name.trim() === view.name}>
          Rename
        </Button>
      </form>
      {error && (
        <p id={errorId} className="field__error" role="alert">
          {error}
        </p>
      )}
      <div className="row">
        <Button small onClick={onShare} disabled={pending}>
          {view.is_shared ? "Stop sharing" : "Share with the team"}
        </Button>
        {(canMoveUp || canMoveDown) && (
          <>
            <Button small variant="ghost" aria-label={`Move ${view.name} up`} disabled={!canMoveUp || pending} onClick={() => onMove(-1)}>
              ↑
            </Button>
            <Button small variant="ghost" aria-label={`Move ${view.name} down`} disabled={!canMoveDown || pending} onClick={() => onMove(1)}>
              ↓
            </Button>
          </>
        )}
        <Button small variant="danger" onClick={onDelete} disabled={pending}>
          Delete
        </Button>
      </div>
    </div>
  );
}

/** SavedViews for a list whose filters are its URL's query (less paging): applying a view
 * replaces the query. */
export function UrlSavedViews({ list, drop = ["cursor"] }: { list: string; drop?: readonly string[] }) {
  const [search, setSearch] = useSearchParams();
  return <SavedViews list={list} params={paramsFromSearch(search, drop)} onApply={(params) => setSearch(searchFromParams(params))} />;
}
