/**
 * The dossier's one timeline: communications (calls, meetings, notes, emails, texts), the team's
 * synced mail (gmail-sync, through /api/email: outside text, always untrusted) and what agents did
 * on the record (the interaction log's agent rows), newest first, with the filters
 * the dossier offers (kind, person). Pure functions, so they are tested without a browser.
 */
import type { components } from "../api/schema";

type Communication = components["schemas"]["CommunicationRead"];
type Interaction = components["schemas"]["InteractionRead"];
type Email = components["schemas"]["GmailMessageData"];

/** Synced mail shares the "email" kind (and its filter chip) with logged email communications. */
export const EMAIL_KIND = "email";

/** The kind of agent rows; communications use their own type (call, meeting, ...). */
export const AGENT_KIND = "agent";

/** Flags the interaction log puts on an agent's write that followed outside text. */
const UNTRUSTED_FLAGS = new Set(["untrusted", "untrusted_content"]);

export type TimelineItem =
  | {
      key: string;
      kind: string;
      at: string;
      authorId: string;
      personIds: string[];
      untrusted: boolean;
      source: "communication";
      communication: Communication;
    }
  | {
      key: string;
      kind: typeof AGENT_KIND;
      at: string;
      authorId: string;
      personIds: string[];
      untrusted: boolean;
      source: "interaction";
      interaction: Interaction;
    }
  | {
      key: string;
      kind: typeof EMAIL_KIND;
      at: string;
      authorId: string;
      personIds: string[];
      untrusted: true;
      source: "email";
      email: Email;
    };

export interface TimelineFilter {
  /** Kinds to show; empty shows every kind. */
  kinds: readonly string[];
  /** A user (author) or contact (attendee) id; null shows everyone. */
  personId: string | null;
}

function isUntrusted(interaction: Interaction): boolean {
  return interaction.flags.some((flag) => UNTRUSTED_FLAGS.has(flag));
}

function time(value: string): number {
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? 0 : parsed;
}

/**
 * Merges the sources into one list, newest first. Communications may arrive twice (the
 * dossier's latest ones and the history pages): the first copy wins. A communication an agent
 * wrote in a session that had read outside text is marked untrusted, as is that agent row.
 */
export function buildTimeline(
  communications: readonly Communication[],
  interactions: readonly Interaction[] = [],
  emails: readonly Email[] = [],
): TimelineItem[] {
  const agentRows = interactions.filter((row) => row.actor_kind === "agent");
  const untrustedRecords = new Set<string>();
  for (const row of agentRows) {
    if (!isUntrusted(row)) continue;
    for (const target of row.targets) if (target.type === "communication") untrustedRecords.add(target.id);
  }

  const seen = new Set<string>();
  const items: TimelineItem[] = [];
  for (const communication of communications) {
    if (seen.has(communication.id) || communication.deleted_at) continue;
    seen.add(communication.id);
    const people = [communication.created_by, ...communication.attendee_ids];
    if (communication.contact_id) people.push(communication.contact_id);
    items.push({
      key: `communication:${communication.id}`,
      kind: communication.type,
      at: communication.occurred_at,
      authorId: communication.created_by,
      personIds: [...new Set(people)],
      untrusted: untrustedRecords.has(communication.id),
      source: "communication",
      communication,
    });
  }
  for (const row of agentRows) {
    items.push({
      key: `interaction:${row.seq}`,
      kind: AGENT_KIND,
      at: row.at,
      authorId: row.actor_id,
      personIds: [row.actor_id],
      untrusted: isUntrusted(row),
      source: "interaction",
      interaction: row,
    });
  }
  const seenEmails = new Set<string>();
  for (const email of emails) {
    if (seenEmails.has(email.id) || email.deleted_at || email.is_private) continue;
    seenEmails.add(email.id);
    const mailboxes = email.mailbox_user_ids ?? [];
    const mailboxOwner = mailboxes[0] ?? email.mailbox_user_id;
    items.push({
      key: `email:${email.id}`,
      kind: EMAIL_KIND,
      at: email.sent_at,
      authorId: mailboxOwner,
      personIds: [...new Set([mailboxOwner, ...mailboxes])],
      untrusted: true,
      source: "email",
      email,
    });
  }
  return items.sort((a, b) => time(b.at) - time(a.at) || b.key.localeCompare(a.key));
}

export function filterTimeline(items: readonly TimelineItem[], filter: TimelineFilter): TimelineItem[] {
  const kinds = new Set(filter.kinds);
  return items.filter(
    (item) =>
      (kinds.size === 0 || kinds.has(item.kind)) &&
      (filter.personId === null || item.personIds.includes(filter.personId)),
  );
}

/** The kinds present, in a stable order (the known ones first), with how many of each. */
export function timelineKinds(items: readonly TimelineItem[], order: readonly string[]): { kind: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.kind, (counts.get(item.kind) ?? 0) + 1);
  const rank = (kind: string) => {
    const index = order.indexOf(kind);
    return index === -1 ? order.length : index;
  };
  return [...counts.entries()]
    .map(([kind, count]) => ({ kind, count }))
    .sort((a, b) => rank(a.kind) - rank(b.kind) || a.kind.localeCompare(b.kind));
}

/** Everyone the person filter can pick: authors (users, agents) and attendees (contacts). */
export function timelinePeople(items: readonly TimelineItem[]): { authors: string[]; attendees: string[] } {
  const authors = new Set<string>();
  const attendees = new Set<string>();
  for (const item of items) {
    authors.add(item.authorId);
    if (item.source === "communication") {
      for (const id of item.communication.attendee_ids) attendees.add(id);
      if (item.communication.contact_id) attendees.add(item.communication.contact_id);
    }
  }
  return { authors: [...authors], attendees: [...attendees].filter((id) => !authors.has(id)) };
}
