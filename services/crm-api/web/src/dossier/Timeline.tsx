import { useQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { type ReactNode, useEffect, useId, useMemo, useRef, useState } from "react";

import { api, unwrap } from "../api/client";
import type { components } from "../api/schema";
import { formatDate, formatDateTime, formatRelative } from "../lib/format";
import { Button } from "../ui/Button";
import { Badge, EmptyState, SkeletonRows, UntrustedBadge } from "../ui/Feedback";
import { AGENT_KIND, filterTimeline, timelineKinds, timelinePeople, type TimelineItem } from "./timeline";

/** Known kinds first, in the order partners think of them. */
const KIND_ORDER = ["meeting", "call", "email", "note", "text", AGENT_KIND];
const LONG_BODY = 480;

export interface TimelineProps {
  items: readonly TimelineItem[];
  loading: boolean;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  /** A person's name by id: users, contacts and agents' keys. */
  personLabel: (id: string) => string;
  kindLabel: (kind: string) => string;
  /** The item to bring into view and outline (a search hit's `?item=`). */
  focusKey?: string | null;
  /** The most the scrolling list grows to before it scrolls. */
  height?: string;
}

function KindBadge({ kind, label }: { kind: string; label: string }) {
  const tone = kind === AGENT_KIND ? "accent" : kind === "meeting" || kind === "call" ? "success" : "neutral";
  return <Badge tone={tone}>{label}</Badge>;
}

function Body({ text }: { text: string }) {
  const [open, setOpen] = useState(false);
  if (!text) return null;
  const long = text.length > LONG_BODY;
  return (
    <div className="tl-item__body">
      <p className={long && !open ? "tl-item__text tl-item__text--clamped" : "tl-item__text"}>{text}</p>
      {long && (
        <Button variant="ghost" small onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? "Show less" : "Show all"}
        </Button>
      )}
    </div>
  );
}

type EmailAddress = components["schemas"]["EmailAddress"];

function address(who: EmailAddress): string {
  return who.name ? `${who.name} <${who.address}>` : who.address;
}

/** A synced email's text, fetched when opened: outside text, shown as text (never HTML). */
function EmailText({ id }: { id: string }) {
  const message = useQuery({
    queryKey: ["email", "message", id],
    queryFn: () => unwrap(api.GET("/api/email/messages/{message_id}", { params: { path: { message_id: id } } })),
    retry: false,
  });
  if (message.isPending) return <SkeletonRows rows={2} />;
  if (message.isError) return <p className="muted">The text is not available.</p>;
  const base = `/api/email/messages/${encodeURIComponent(id)}/attachments/`;
  const attachments = message.data.attachments ?? [];
  return (
    <>
      <Body text={message.data.searchable_text || message.data.body_text} />
      {attachments.length > 0 && (
        <ul className="plain tl-item__line">
          {attachments.map((file) => (
            <li key={file.sha256}>
              {file.is_stored ? (
                <a href={`${base}${file.sha256}`} download={file.filename ?? undefined}>
                  {file.filename ?? "attachment"}
                </a>
              ) : (
                <span className="muted">{file.filename ?? "attachment"} (too large to keep)</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function EmailView({ item, when, kindLabel, personLabel }: { item: Extract<TimelineItem, { source: "email" }>; when: ReactNode; kindLabel: TimelineProps["kindLabel"]; personLabel: TimelineProps["personLabel"] }) {
  const [open, setOpen] = useState(false);
  const email = item.email;
  const to = email.to ?? [];
  return (
    <>
      <div className="tl-item__meta">
        <KindBadge kind={item.kind} label={kindLabel(item.kind)} />
        <span className="tl-item__who">{address(email.from)}</span>
        <span className="muted">in {personLabel(item.authorId)}'s mailbox</span>
        <UntrustedBadge />
        <span className="tl-item__when muted">{when}</span>
      </div>
      {email.subject && <h3 className="tl-item__subject">{email.subject}</h3>}
      {to.length > 0 && <div className="tl-item__line muted">To {to.map(address).join(", ")}</div>}
      {open && <EmailText id={email.id} />}
      <Button variant="ghost" small onClick={() => setOpen(!open)} aria-expanded={open}>
        {open ? "Hide text" : "Show text"}
      </Button>
    </>
  );
}

function ItemView({ item, personLabel, kindLabel }: { item: TimelineItem; personLabel: TimelineProps["personLabel"]; kindLabel: TimelineProps["kindLabel"] }) {
  const when = (
    <time dateTime={item.at} title={formatDateTime(item.at)}>
      {formatDateTime(item.at)} · {formatRelative(item.at)}
    </time>
  );
  if (item.source === "email") {
    return <EmailView item={item} when={when} kindLabel={kindLabel} personLabel={personLabel} />;
  }
  if (item.source === "interaction") {
    const row = item.interaction;
    return (
      <>
        <div className="tl-item__meta">
          <KindBadge kind={item.kind} label={kindLabel(item.kind)} />
          <span className="tl-item__who">{row.actor_name ?? personLabel(row.actor_id)}</span>
          <span className="muted">{row.action.replace(/^(agent|tool)\./, "").replace(/_/g, " ")}</span>
          {row.outcome !== "ok" && <Badge tone={row.outcome === "error" || row.outcome === "denied" ? "danger" : "warning"}>{row.outcome}</Badge>}
          {item.untrusted && <UntrustedBadge />}
          <span className="tl-item__when muted">{when}</span>
        </div>
        <p className="tl-item__text">{row.summary}</p>
      </>
    );
  }
  const communication = item.communication;
  const attendees = communication.attendee_ids.filter((id) => id !== communication.contact_id);
  return (
    <>
      <div className="tl-item__meta">
        <KindBadge kind={item.kind} label={kindLabel(item.kind)} />
        <span className="tl-item__who">{personLabel(communication.created_by)}</span>
        {item.untrusted && <UntrustedBadge />}
        <span className="tl-item__when muted">{when}</span>
      </div>
      {communication.subject && <h3 className="tl-item__subject">{communication.subject}</h3>}
      <Body text={communication.body} />
      {attendees.length > 0 && (
        <div className="tl-item__line muted">With {attendees.map(personLabel).join(", ")}</div>
      )}
      {communication.outcome && <div className="tl-item__line">Outcome: {communication.outcome}</div>}
      {communication.next_action && (
        <div className="tl-item__line">
          Next: {communication.next_action}
          {communication.next_action_due && <span className="muted"> · due {formatDate(communication.next_action_due)}</span>}
        </div>
      )}
    </>
  );
}

/**
 * The dossier's timeline: filter chips by kind, a person filter, and a virtualized list
 * (only the rows in view are in the DOM, so 500 items render at once).
 */
export function Timeline({
  items,
  loading,
  hasMore,
  loadingMore,
  onLoadMore,
  personLabel,
  kindLabel,
  focusKey = null,
  height = "min(40rem, 70vh)",
}: TimelineProps) {
  const [kinds, setKinds] = useState<string[]>([]);
  const [personId, setPersonId] = useState<string | null>(null);
  const personSelect = useId();
  const scroller = useRef<HTMLDivElement>(null);

  const visible = useMemo(() => filterTimeline(items, { kinds, personId }), [items, kinds, personId]);
  const kindCounts = useMemo(() => timelineKinds(items, KIND_ORDER), [items]);
  const people = useMemo(() => {
    const { authors, attendees } = timelinePeople(items);
    const options = [...authors, ...attendees].map((id) => ({ id, label: personLabel(id) }));
    return options.sort((a, b) => a.label.localeCompare(b.label));
  }, [items, personLabel]);

  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual returns fresh functions by design
  const virtualizer = useVirtualizer({
    count: visible.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 112,
    overscan: 6,
    getItemKey: (index) => visible[index]?.key ?? index,
    initialRect: { width: 720, height: 640 },
  });
  const virtualItems = virtualizer.getVirtualItems();
  const lastIndex = virtualItems.at(-1)?.index ?? -1;

  useEffect(() => {
    if (hasMore && !loadingMore && lastIndex >= visible.length - 8) onLoadMore();
  }, [hasMore, loadingMore, lastIndex, visible.length, onLoadMore]);

  const focusIndex = focusKey ? visible.findIndex((item) => item.key === focusKey) : -1;
  useEffect(() => {
    if (focusIndex >= 0) virtualizer.scrollToIndex(focusIndex, { align: "start" });
  }, [focusIndex, virtualizer]);

  const toggleKind = (kind: string) =>
    setKinds((current) => (current.includes(kind) ? current.filter((k) => k !== kind) : [...current, kind]));

  if (loading) return <SkeletonRows rows={5} />;

  return (
    <div className="stack">
      <div className="tl-filters" role="group" aria-label="Filter the timeline">
        <div className="row" role="group" aria-label="Kinds">
          <Button small variant={kinds.length === 0 ? "primary" : "default"} aria-pressed={kinds.length === 0} onClick={() => setKinds([])}>
            All <span className="num">{items.length}</span>
          </Button>
          {kindCounts.map(({ kind, count }) => (
            <Button key={kind} small variant={kinds.includes(kind) ? "primary" : "default"} aria-pressed={kinds.includes(kind)} onClick={() => toggleKind(kind)}>
              {kindLabel(kind)} <span className="num">{count}</span>
            </Button>
          ))}
        </div>
        <div className="row">
          <label htmlFor={personSelect} className="field__label">
            Person
          </label>
          <select
            id={personSelect}
            className="select tl-filters__person"
            value={personId ?? ""}
            onChange={(event) => setPersonId(event.target.value || null)}
          >
            <option value="">Everyone</option>
            {people.map((person) => (
              <option key={person.id} value={person.id}>
                {person.label}
              </option>
            ))}
          </select>
        </div>
      </div>

      {visible.length === 0 ? (
        items.length === 0 ? (
          <EmptyState title="No history yet">Log the first call, meeting or note above: it appears here at once.</EmptyState>
        ) : (
          <EmptyState title="Nothing matches these filters">
            <Button small onClick={() => { setKinds([]); setPersonId(null); }}>
              Clear filters
            </Button>
          </EmptyState>
        )
      ) : (
        <div
          ref={scroller}
          className="tl-scroller"
          style={{ maxHeight: height }}
          tabIndex={0}
          role="region"
          aria-label={`Timeline, ${visible.length} items, newest first`}
        >
          <div role="list" style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
            {virtualItems.map((virtual) => {
              const item = visible[virtual.index];
              if (!item) return null;
              const focused = item.key === focusKey;
              return (
                <div
                  key={virtual.key}
                  ref={virtualizer.measureElement}
                  data-index={virtual.index}
                  role="listitem"
                  aria-posinset={virtual.index + 1}
                  aria-setsize={visible.length}
                  className={focused ? "tl-item tl-item--focused" : "tl-item"}
                  data-key={item.key}
                  style={{ transform: `translateY(${virtual.start}px)` }}
                >
                  <ItemView item={item} personLabel={personLabel} kindLabel={kindLabel} />
                </div>
              );
            })}
          </div>
        </div>
      )}
      {hasMore && (
        <div className="row">
          <Button small onClick={onLoadMore} disabled={loadingMore}>
            {loadingMore ? "Loading older…" : "Load older"}
          </Button>
        </div>
      )}
    </div>
  );
}
