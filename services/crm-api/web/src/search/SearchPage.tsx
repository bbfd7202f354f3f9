/**
 * Search: one box over everything the CRM holds as text (ingest's hybrid index), with the
 * filters the API has, cursor paging, highlighted snippets and a citation that opens the record.
 */
import "../dossier/dossier.css";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { Link, useSearchParams } from "react-router";

import { api, unwrap } from "../api/client";
import { ApiError } from "../api/problem";
import type { components } from "../api/schema";
import { useFunds, useLookups, useUsers } from "../dossier/queries";
import { UrlSavedViews } from "../views/SavedViews";
import { formatDate, formatDateTime } from "../lib/format";
import { Button } from "../ui/Button";
import { Badge, EmptyState, PageHeader, SkeletonRows } from "../ui/Feedback";
import { hitHref, sourceKindLabel } from "./citation";
import { queryTerms } from "./highlight";
import { Highlight } from "./Highlight";

type Hit = components["schemas"]["SearchHit"];
type Mode = "hybrid" | "dense" | "sparse";

const MODES: { value: Mode; label: string }[] = [
  { value: "hybrid", label: "Best match (hybrid)" },
  { value: "dense", label: "Meaning (semantic)" },
  { value: "sparse", label: "Exact words (keyword)" },
];
const KINDS = ["communication", "contact", "organization", "opportunity", "lp_profile"];
const PAGE = 10;

/** A day picked in the user's time zone, as the aware timestamp the API wants. */
export function dayStart(day: string, plusDays = 0): string | undefined {
  if (!day) return undefined;
  const date = new Date(`${day}T00:00:00`);
  if (Number.isNaN(date.getTime())) return undefined;
  date.setDate(date.getDate() + plusDays);
  return date.toISOString();
}

function HitView({
  hit,
  terms,
  fundName,
  userName,
  typeLabel,
}: {
  hit: Hit;
  terms: readonly string[];
  fundName: (id: string) => string;
  userName: (id: string) => string | null;
  typeLabel: (type: string) => string;
}) {
  const href = hitHref(hit);
  const { citation } = hit;
  const author = hit.author_name ?? (hit.author_id ? userName(hit.author_id) : null);
  return (
    <li className="card hit">
      <div className="hit__meta">
        <Badge tone="accent">{sourceKindLabel(citation.source_kind)}</Badge>
        {hit.type && <Badge>{typeLabel(hit.type)}</Badge>}
        {hit.redactions && hit.redactions.length > 0 && !hit.rehydrated && <Badge tone="warning" title="Sensitive values are hidden">redacted</Badge>}
        <time dateTime={citation.event_time}>{formatDate(citation.event_time)}</time>
        {author && <span>· by {author}</span>}
      </div>
      <h2 className="hit__title">{href ? <Link to={href}>{hit.title || "Untitled"}</Link> : hit.title || "Untitled"}</h2>
      <p className="hit__snippet">
        <Highlight text={hit.snippet} terms={terms} />
      </p>
      <div className="hit__meta">
        {hit.names && hit.names.length > 0 && <span>{hit.names.slice(0, 6).join(" · ")}</span>}
        {hit.fund_ids && hit.fund_ids.length > 0 && <span>· {hit.fund_ids.map(fundName).join(", ")}</span>}
      </div>
      <div className="hit__meta">
        <span>Source:</span>
        {href ? (
          <Link className="citation" to={href}>
            <span className="visually-hidden">
              Open the cited {sourceKindLabel(citation.source_kind).toLowerCase()}: {hit.title},{" "}
            </span>
            {citation.source_kind}/{citation.source_id} · v{citation.source_version} · {formatDateTime(citation.event_time)}
          </Link>
        ) : (
          <span className="citation">
            {citation.source_kind}/{citation.source_id} · v{citation.source_version}
          </span>
        )}
      </div>
    </li>
  );
}

export default function SearchPage() {
  const [params, setParams] = useSearchParams();
  const funds = useFunds();
  const users = useUsers();
  const lookups = useLookups();
  const ids = { q: useId(), mode: useId(), type: useId(), fund: useId(), author: useId(), since: useId(), until: useId() };

  const q = (params.get("q") ?? "").trim();
  const modeParam = params.get("mode");
  const mode: Mode = MODES.some((m) => m.value === modeParam) ? (modeParam as Mode) : "hybrid";
  const kinds = params.getAll("source_kind");
  const type = params.get("type") ?? "";
  const fund = params.get("fund_id") ?? "";
  const author = params.get("author_id") ?? "";
  const since = params.get("since") ?? "";
  const until = params.get("until") ?? "";
  const entityIds = params.getAll("entity_id");
  const contactIds = params.getAll("contact_id");
  const organizationIds = params.getAll("organization_id");

  // What the user is typing; a new ?q= (Back, the top bar) replaces it.
  const [typed, setTyped] = useState({ q, text: q });
  const draft = typed.q === q ? typed.text : q;
  const setDraft = (text: string) => setTyped({ q, text });

  const filterKey = params.toString();
  const [paging, setPaging] = useState<{ key: string; cursors: (string | null)[] }>({ key: filterKey, cursors: [null] });
  const cursors = paging.key === filterKey ? paging.cursors : [null];
  const cursor = cursors.at(-1) ?? null;

  const query = {
    q,
    mode,
    top_k: PAGE,
    cursor,
    ...(kinds.length > 0 ? { source_kind: kinds } : {}),
    ...(type ? { type: [type] } : {}),
    ...(fund ? { fund_id: [fund] } : {}),
    ...(author ? { author_id: [author] } : {}),
    ...(entityIds.length > 0 ? { entity_id: entityIds } : {}),
    ...(contactIds.length > 0 ? { contact_id: contactIds } : {}),
    ...(organizationIds.length > 0 ? { organization_id: organizationIds } : {}),
    ...(since ? { since: dayStart(since) } : {}),
    ...(until ? { until: dayStart(until, 1) } : {}),
  };
  const search = useQuery({
    queryKey: ["search", query],
    queryFn: () => unwrap(api.GET("/api/search", { params: { query } })),
    enabled: q.length > 0,
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 5_000,
  });
  const terms = queryTerms(q);

  const set = (changes: Record<string, string | string[] | null>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      next.delete(key);
      if (Array.isArray(value)) for (const v of value) next.append(key, v);
      else if (value) next.set(key, value);
    }
    // A new query is a new history entry (Back returns to the last search); filters replace it.
    setParams(next, { replace: !("q" in changes) });
  };

  const hits = search.data?.hits ?? [];
  const types = lookups.values("communication_type");
  const userName = (id: string) => users.byId.get(id)?.display_name ?? null;
  const scoped = entityIds.length + contactIds.length + organizationIds.length > 0;
  const anyFilter = kinds.length > 0 || type || fund || author || since || until || scoped;

  return (
    <div className="page">
      <PageHeader title={q ? `Search: ${q}` : "Search"} subtitle="Notes, calls, meetings, emails and records, by meaning and by words" actions={q ? <UrlSavedViews list="search" /> : undefined} />
      <form
        role="search"
        className="row"
        onSubmit={(event) => {
          event.preventDefault();
          set({ q: draft.trim() || null });
        }}
      >
        <label htmlFor={ids.q} className="visually-hidden">
          Search
        </label>
        <input id={ids.q} className="input" style={{ flex: 1, minWidth: "16rem" }} type="search" placeholder="e.g. who asked about the Fund III timeline" value={draft} onChange={(e) => setDraft(e.target.value)} />
        <Button type="submit" variant="primary">
          Search
        </Button>
      </form>
      <div className="filters" aria-label="Filters" role="group">
        <div className="field">
          <label className="field__label" htmlFor={ids.mode}>
            Match
          </label>
          <select id={ids.mode} className="select" value={mode} onChange={(e) => set({ mode: e.target.value === "hybrid" ? null : e.target.value })}>
            {MODES.map((m) => (
              <option key={m.value} value={m.value}>
                {m.label}
              </option>
            ))}
          </select>
        </div>
        <fieldset className="field" style={{ border: "none", padding: 0, margin: 0 }}>
          <legend className="field__label">Kind</legend>
          <div className="row">
            {KINDS.map((kind) => (
              <label key={kind} className="checkbox small">
                <input
                  type="checkbox"
                  checked={kinds.includes(kind)}
                  onChange={(e) => set({ source_kind: e.target.checked ? [...kinds, kind] : kinds.filter((k) => k !== kind) })}
                />
                {sourceKindLabel(kind)}
              </label>
            ))}
          </div>
        </fieldset>
        <div className="field">
          <label className="field__label" htmlFor={ids.type}>
            Type
          </label>
          <select id={ids.type} className="select" value={type} onChange={(e) => set({ type: e.target.value })}>
            <option value="">Any</option>
            {types.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label className="field__label" htmlFor={ids.fund}>
            Fund
          </label>
          <select id={ids.fund} className="select" value={fund} onChange={(e) => set({ fund_id: e.target.value })}>
            <option value="">Any</option>
            {(funds.data?.items ?? []).map((f) => (
              <option key={f.id} value={f.id}>
                {f.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label className="field__label" htmlFor={ids.author}>
            Author
          </label>
          <select id={ids.author} className="select" value={author} onChange={(e) => set({ author_id: e.target.value })}>
            <option value="">Anyone</option>
            {(users.data ?? []).map((u) => (
              <option key={u.id} value={u.id}>
                {u.display_name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label className="field__label" htmlFor={ids.since}>
            From
          </label>
          <input id={ids.since} className="input" type="date" value={since} onChange={(e) => set({ since: e.target.value })} />
        </div>
        <div className="field">
          <label className="field__label" htmlFor={ids.until}>
            To
          </label>
          <input id={ids.until} className="input" type="date" value={until} onChange={(e) => set({ until: e.target.value })} />
        </div>
        {scoped && (
          <Button small onClick={() => set({ entity_id: null, contact_id: null, organization_id: null })}>
            Search everyone, not one record
          </Button>
        )}
        {anyFilter && (
          <Button small variant="ghost" onClick={() => setParams(new URLSearchParams({ q }), { replace: true })}>
            Clear filters
          </Button>
        )}
      </div>

      {!q ? (
        <EmptyState title="Search everything the team has written down">
          Type a name, a firm, a fund or a question in plain words, for instance “co-invest appetite” or “wire instructions”. Hybrid search finds both the
          exact words and what they mean.
        </EmptyState>
      ) : search.isPending ? (
        <SkeletonRows rows={6} />
      ) : search.isError ? (
        search.error instanceof ApiError && search.error.status === 503 ? (
          <EmptyState title="Search is unavailable right now">
            <span>{search.error.problem.detail ?? search.error.problem.title}</span>
            <span>The index service is down or still building; records and dossiers still work. Try again in a minute.</span>
            <Button small onClick={() => void search.refetch()}>
              Try again
            </Button>
          </EmptyState>
        ) : (
          <EmptyState title="That search did not work">
            <span>{search.error.message}</span>
            {mode !== "hybrid" && (
              <Button small onClick={() => set({ mode: null })}>
                Use best match
              </Button>
            )}
          </EmptyState>
        )
      ) : hits.length === 0 ? (
        <EmptyState title={`Nothing found for “${q}”`}>
          {anyFilter ? "Remove a filter, or try other words." : "Try other words, a name, or switch Match to exact words. Text logged a moment ago takes a few seconds to be indexed."}
        </EmptyState>
      ) : (
        <>
          <p className="muted" role="status">
            {cursors.length > 1 ? `Page ${cursors.length}` : `Top ${hits.length} ${hits.length === 1 ? "match" : "matches"}`}, one per record, best first
            {search.isFetching && " · updating…"}
          </p>
          <ol className="hits">
            {hits.map((hit) => (
              <HitView key={hit.point_id} hit={hit} terms={terms} fundName={funds.name} userName={userName} typeLabel={(t) => lookups.label("communication_type", t)} />
            ))}
          </ol>
        </>
      )}
      {q && (cursors.length > 1 || search.data?.next_cursor) && (
        <nav className="pager" aria-label="Pages">
          <Button small disabled={cursors.length <= 1} onClick={() => setPaging({ key: filterKey, cursors: cursors.slice(0, -1) })}>
            ← Previous
          </Button>
          <span className="muted">Page {cursors.length}</span>
          <Button small disabled={!search.data?.next_cursor} onClick={() => setPaging({ key: filterKey, cursors: [...cursors, search.data?.next_cursor ?? null] })}>
            Next →
          </Button>
        </nav>
      )}
    </div>
  );
}
