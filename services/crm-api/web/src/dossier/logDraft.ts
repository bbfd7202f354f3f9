/** The log form's state and how it becomes a POST /api/communications body. */
import type { components } from "../api/schema";
import type { Subject } from "./queries";

type CommunicationCreate = components["schemas"]["CommunicationCreate"];

export interface Attendee {
  id: string;
  label: string;
}

export interface LogDraft {
  type: string;
  /** A `datetime-local` value, in the user's time zone. */
  occurredAt: string;
  subject: string;
  body: string;
  attendees: Attendee[];
  opportunityId: string;
  followUp: boolean;
  nextAction: string;
  nextActionDue: string;
  followUpOwnerId: string;
}

/** "2026-03-05T14:30" for a Date, in local time (what a datetime-local input shows). */
export function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function emptyDraft(now: Date, ownerId: string, type = "meeting"): LogDraft {
  return {
    type,
    occurredAt: toLocalInput(now),
    subject: "",
    body: "",
    attendees: [],
    opportunityId: "",
    followUp: false,
    nextAction: "",
    nextActionDue: "",
    followUpOwnerId: ownerId,
  };
}

/** Ctrl+Enter, or Cmd+Enter on a Mac. */
export function isSubmitShortcut(event: { key: string; ctrlKey: boolean; metaKey: boolean }): boolean {
  return event.key === "Enter" && (event.ctrlKey || event.metaKey);
}

/**
 * The request body. The time goes out as an aware ISO timestamp (the API refuses naive ones);
 * a blank or unreadable time is sent as typed so the server names the field.
 */
export function toCreateBody(draft: LogDraft, subject: Subject): CommunicationCreate {
  const when = new Date(draft.occurredAt);
  const hasNext = draft.nextAction.trim() !== "";
  return {
    type: draft.type,
    occurred_at: Number.isNaN(when.getTime()) ? draft.occurredAt : when.toISOString(),
    subject: draft.subject.trim(),
    body: draft.body,
    contact_id: subject.kind === "contact" ? subject.id : null,
    organization_id: subject.kind === "organization" ? subject.id : null,
    opportunity_id: draft.opportunityId || null,
    attendee_ids: draft.attendees.map((attendee) => attendee.id),
    next_action: draft.followUp || hasNext ? draft.nextAction.trim() || null : null,
    next_action_due: (draft.followUp || hasNext) && draft.nextActionDue ? draft.nextActionDue : null,
    create_follow_up: draft.followUp,
    follow_up_owner_id: draft.followUp ? draft.followUpOwnerId || null : null,
  };
}
