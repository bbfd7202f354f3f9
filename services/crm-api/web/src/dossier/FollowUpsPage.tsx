/**
 * Follow-ups: mine, the team's, overdue, due before a day; search, status, sort, cursor paging
 * and saved views; complete with one click (Undo in the toast). Filters live in the URL, so
 * Home's links (?mine=1, ?overdue=1) and saved views are plain query strings.
 */
import "./dossier.css";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { Link, useSearchParams } from "react-router";

import { api, unwrap } from "../api/client";
import { useRecordNames } from "../api/names";
import { useUser } from "../auth/session";
import { formatDate, formatNumber, formatRelative } from "../lib/format";
import { Button } from "../ui/Button";
import { EmptyState, PageHeader, SkeletonRows } from "../ui/Feedback";
import { DueBadge, useCompleteFollowUp } from "./followUps";
import { useUsers } from "./queries";
import { UrlSavedViews } from "../views/SavedViews";

type Sort = "due_date" | "-due_date" | "created_at" | "-created_at" | "updated_at" | "-updated_at";
type Status = "open" | "done" | "cancelled";
const SORTS: { value: Sort; label: string }[] = [
  { value: "due_date", label: "Due soonest" },
  { value: "-due_date", label: "Due latest" },
  { value: "-created_at", label: "Newest" },
  { value: "-updated_at", label: "Recently changed" },
];
const STATUSES: { value: Status | "any"; label: string }[] = [
  { value: "open", label: "Open" },
  { value: "done", label: "Done" },
  { value: "cancelled", label: "Cancelled" },
  { value: "any", label: "Any status" },
];
const PAGE = 25;

export default function FollowUpsPage() {
  const user = useUser();
  const users = useUsers();
  const [params, setParams] = useSearchParams();
  const complete = useCompleteFollowUp();
  const ids = { q: useId(), status: useId(), sort: useId(), due: useId() };

  const mine = params.get("mine") === "1";
  const overdue = params.get("overdue") === "1";
  const statusParam = params.get("status") ?? "open";
  const status = STATUSES.some((s) => s.value === statusParam) ? (statusParam as Status | "any") : "open";
  const sortParam = params.get("sort") ?? "due_date";
  const sort = SORTS.some((s) => s.value === sortParam) ? (sortParam as Sort) : "due_date";
  const dueBefore = params.get("due_before") ?? "";
  const q = params.get("q") ?? "";
  // What the user is typing; a new ?q= (Back, a saved view) replaces it.
  const [typed, setTyped] = useState({ q, text: q });
  const draftQ = typed.q === q ? typed.text : q;
  const setDraftQ = (text: string) => setTyped({ q, text });

  // Cursor paging: the cursors of the pages before this one, reset whenever the filters change.
  const filterKey = `${mine}|${overdue}|${status}|${sort}|${dueBefore}|${q}`;
  const [paging, setPaging] = useState<{ key: string; cursors: (string | null)[] }>({ key: filterKey, cursors: [null] });
  const cursors = paging.key === filterKey ? paging.cursors : [null];
  const cursor = cursors.at(-1) ?? null;

  const query = {
    limit: PAGE,
    sort,
    cursor,
    ...(mine ? { owner_id: user.id } : {}),
    ...(overdue ? { overdue: true } : {}),
    ...(status !== "any" ? { status } : {}),
    ...(dueBefore ? { due_before: dueBefore } : {}),
    ...(q ? { q } : {}),
  };
  const list = useQuery({
    queryKey: ["follow-ups", query],
    queryFn: () => unwrap(api.GET("/api/follow-ups", { params: { query } })),
    placeholderData: keepPreviousData,
  });
  const items = list.data?.items ?? [];
  const names = useRecordNames({
    contacts: items.flatMap((i) => (i.contact_id ? [i.contact_id] : [])),
    organizations: items.flatMap((i) => (!i.contact_id && i.organization_id ? [i.organization_id] : [])),
  });

  const set = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null || value === "") next.delete(key);
      else next.set(key, value);
    }
    setParams(next, { replace: true });
  };

  const scope = mine ? "mine" : "team";
  const title = overdue ? (mine ? "My overdue follow-ups" : "Overdue follow-ups") : mine ? "My follow-ups" : "Team follow-ups";

  return (
    <div className="page">
      <PageHeader
        title={title}
        subtitle={list.data ? `${formatNumber(list.data.total)} ${list.data.total === 1 ? "follow-up" : "follow-ups"}` : "Loading…"}
        actions={<UrlSavedViews list="follow-ups" />}
      />
      <div className="filters" role="search" aria-label="Filter follow-ups">
        <div className="segmented" role="group" aria-label="Whose">
          <Button small variant={scope === "mine" ? "primary" : "default"} aria-pressed={scope === "mine"} onClick={() => set({ mine: "1" })}>
            Mine
          </Button>
          <Button small variant={scope === "team" ? "primary" : "default"} aria-pressed={scope === "team"} onClick={() => set({ mine: null })}>
            Team
          </Button>
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={overdue} onChange={(e) => set({ overdue: e.target.checked ? "1" : null })} />
          Overdue only
        </label>
        <div className="field">
          <label className="field__label" htmlFor={ids.due}>
            Due on or before
          </label>
          <input id={ids.due} className="input" type="date" value={dueBefore} onChange={(e) => set({ due_before: e.target.value })} />
        </div>
        <div className="field">
          <label className="field__label" htmlFor={ids.status}>
            Status
          </label>
          <select id={ids.status} className="select" value={status} onChange={(e) => set({ status: e.target.value === "open" ? null : e.target.value })}>
            {STATUSES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label className="field__label" htmlFor={ids.sort}>
            Sort
          </label>
          <select id={ids.sort} className="select" value={sort} onChange={(e) => set({ sort: e.target.value === "due_date" ? null : e.target.value })}>
            {SORTS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
        <form
          className="field"
          onSubmit={(event) => {
            event.preventDefault();
            set({ q: draftQ.trim() });
          }}
        >
          <label className="field__label" htmlFor={ids.q}>
            Search titles
          </label>
          <input id={ids.q} className="input" type="search" value={draftQ} onChange={(e) => setDraftQ(e.target.value)} onBlur={() => set({ q: draftQ.trim() })} />
        </form>
      </div>

      {list.isPending ? (
        <SkeletonRows rows={8} />
      ) : list.isError ? (
        <EmptyState title="Could not load follow-ups">
          <span>{list.error.message}</span>
          <Button small onClick={() => void list.refetch()}>
            Try again
          </Button>
        </EmptyState>
      ) : items.length === 0 ? (
        <EmptyState title={overdue ? "Nothing overdue" : "No follow-ups here"}>
          {overdue ? "Everything is on time. " : "Add follow-ups from a dossier, or tick “Create a follow-up” when you log a call. "}
          {(mine || overdue || dueBefore || q || status !== "open") && (
            <Button small onClick={() => setParams(new URLSearchParams(), { replace: true })}>
              Clear filters
            </Button>
          )}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table table--rowheads">
            <caption className="visually-hidden">{title}</caption>
            <thead>
              <tr>
                <th scope="col">Follow-up</th>
                <th scope="col">About</th>
                <th scope="col">Owner</th>
                <th scope="col">Due</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => {
                const about = item.contact_id
                  ? { href: `/contacts/${encodeURIComponent(item.contact_id)}`, name: names.get(item.contact_id) }
                  : item.organization_id
                    ? { href: `/organizations/${encodeURIComponent(item.organization_id)}`, name: names.get(item.organization_id) }
                    : null;
                return (
                  <tr key={item.id}>
                    <th scope="row" className="cell-wrap">
                      {item.title}
                      {item.notes && <div className="muted small">{item.notes}</div>}
                    </th>
                    <td>{about ? <Link to={about.href}>{about.name ?? "Open record"}</Link> : <span className="muted">—</span>}</td>
                    <td>{item.owner_id ? (users.byId.get(item.owner_id)?.display_name ?? "…") : <span className="muted">Unassigned</span>}</td>
                    <td>
                      <time dateTime={item.due_date}>{formatDate(item.due_date)}</time>
                      <div className="muted small">{formatRelative(`${item.due_date}T23:59:59`)}</div>
                    </td>
                    <td>
                      <DueBadge item={item} />
                      {item.status === "open" && !item.is_overdue && <span className="muted small">open</span>}
                    </td>
                    <td className="num">
                      {item.status === "open" && (
                        <Button small onClick={() => complete.mutate(item)} disabled={complete.isPending && complete.variables.id === item.id} aria-label={`Complete “${item.title}”`}>
                          Complete
                        </Button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {(cursors.length > 1 || list.data?.next_cursor) && (
        <nav className="pager" aria-label="Pages">
          <Button small disabled={cursors.length <= 1} onClick={() => setPaging({ key: filterKey, cursors: cursors.slice(0, -1) })}>
            ← Previous
          </Button>
          <span className="muted">Page {cursors.length}</span>
          <Button
            small
            disabled={!list.data?.next_cursor}
            onClick={() => setPaging({ key: filterKey, cursors: [...cursors, list.data?.next_cursor ?? null] })}
          >
            Next →
          </Button>
        </nav>
      )}
    </div>
  );
}
