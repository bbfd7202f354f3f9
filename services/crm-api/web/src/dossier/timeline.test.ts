import { describe, expect, it } from "vitest";

import type { components } from "../api/schema";
import { buildTimeline, filterTimeline, timelineKinds, timelinePeople } from "./timeline";

type Communication = components["schemas"]["CommunicationRead"];
type Interaction = components["schemas"]["InteractionRead"];
type Email = components["schemas"]["GmailMessageData"];

function email(id: string, at: string, extra: Partial<Email> = {}): Email {
  return {
    id,
    message_id: `<${id}@example.com>`,
    thread_id: `t-${id}`,
    sent_at: at,
    subject: `<b>mail ${id}</b>`,
    from: { address: "alice@northpeak.example", name: "Alice" },
    to: [{ address: "ann@fund.example", name: null }],
    cc: [],
    mailbox_user_id: "user-2",
    deleted_at: null,
    mailbox_user_ids: ["user-2"],
    labels: ["INBOX"],
    links: [],
    is_private: false,
    has_attachments: false,
    ...extra,
  };
}

function communication(id: string, type: string, at: string, extra: Partial<Communication> = {}): Communication {
  return {
    id,
    version: 1,
    created_at: at,
    updated_at: at,
    created_by: "user-1",
    updated_by: "user-1",
    deleted_at: null,
    type,
    subject: `${type} ${id}`,
    body: "",
    occurred_at: at,
    contact_id: "contact-1",
    organization_id: null,
    opportunity_id: null,
    attendee_ids: [],
    outcome: null,
    next_action: null,
    next_action_due: null,
    ...extra,
  };
}

function interaction(seq: number, at: string, extra: Partial<Interaction> = {}): Interaction {
  return {
    seq,
    at,
    actor_kind: "agent",
    actor_id: "key-1",
    actor_name: "Research agent",
    action: "agent.add_note",
    channel: "mcp",
    summary: "added a note",
    targets: [],
    payload_digest: null,
    outcome: "ok",
    duration_ms: 12,
    flags: [],
    request_id: null,
    session_id: null,
    prev_hash: "0",
    hash: "1",
    ...extra,
  };
}

describe("buildTimeline", () => {
  it("puts synced mail beside communications under the email kind, always untrusted", () => {
    const items = buildTimeline(
      [communication("a", "call", "2026-03-01T10:00:00Z")],
      [],
      [
        email("m1", "2026-03-02T10:00:00Z"),
        email("m1", "2026-03-02T10:00:00Z"),
        email("m2", "2026-03-03T10:00:00Z", { is_private: true }),
        email("m3", "2026-03-04T10:00:00Z", { deleted_at: "2026-03-05T10:00:00Z" }),
      ],
    );
    expect(items.map((item) => item.key)).toEqual(["email:m1", "communication:a"]);
    expect(items[0]).toMatchObject({ kind: "email", untrusted: true, authorId: "user-2" });
    expect(filterTimeline(items, { kinds: ["email"], personId: null }).map((item) => item.key)).toEqual(["email:m1"]);
  });

  it("puts communications and agent actions in one list, newest first", () => {
    const items = buildTimeline(
      [communication("a", "call", "2026-03-01T10:00:00Z"), communication("b", "meeting", "2026-03-05T10:00:00Z")],
      [interaction(7, "2026-03-03T10:00:00Z"), interaction(8, "2026-03-04T10:00:00Z", { actor_kind: "user" })],
    );
    expect(items.map((item) => item.key)).toEqual(["communication:b", "interaction:7", "communication:a"]);
  });

  it("keeps one copy of a communication seen in two pages and drops deleted ones", () => {
    const a = communication("a", "note", "2026-03-01T10:00:00Z");
    const gone = communication("g", "note", "2026-03-02T10:00:00Z", { deleted_at: "2026-03-03T00:00:00Z" });
    expect(buildTimeline([a, a, gone])).toHaveLength(1);
  });

  it("marks what an agent wrote after reading outside text as untrusted", () => {
    const items = buildTimeline(
      [communication("a", "note", "2026-03-01T10:00:00Z"), communication("b", "note", "2026-03-02T10:00:00Z")],
      [interaction(9, "2026-03-01T10:00:01Z", { flags: ["untrusted"], targets: [{ type: "communication", id: "a" }] })],
    );
    const byKey = Object.fromEntries(items.map((item) => [item.key, item.untrusted]));
    expect(byKey).toEqual({ "communication:a": true, "communication:b": false, "interaction:9": true });
  });
});

describe("filters", () => {
  const items = buildTimeline(
    [
      communication("a", "call", "2026-03-01T10:00:00Z", { attendee_ids: ["contact-2"] }),
      communication("b", "email", "2026-03-02T10:00:00Z", { created_by: "user-2" }),
      communication("c", "call", "2026-03-03T10:00:00Z"),
    ],
    [interaction(1, "2026-03-04T10:00:00Z")],
  );

  it("filters by kind, and shows everything with no kind chosen", () => {
    expect(filterTimeline(items, { kinds: ["call"], personId: null }).map((i) => i.key)).toEqual([
      "communication:c",
      "communication:a",
    ]);
    expect(filterTimeline(items, { kinds: [], personId: null })).toHaveLength(4);
  });

  it("filters by author or attendee", () => {
    expect(filterTimeline(items, { kinds: [], personId: "user-2" }).map((i) => i.key)).toEqual(["communication:b"]);
    expect(filterTimeline(items, { kinds: [], personId: "contact-2" }).map((i) => i.key)).toEqual(["communication:a"]);
    expect(filterTimeline(items, { kinds: [], personId: "key-1" }).map((i) => i.key)).toEqual(["interaction:1"]);
  });

  it("counts kinds in the given order and lists the people", () => {
    expect(timelineKinds(items, ["meeting", "call", "email"])).toEqual([
      { kind: "call", count: 2 },
      { kind: "email", count: 1 },
      { kind: "agent", count: 1 },
    ]);
    const people = timelinePeople(items);
    expect(people.authors.sort()).toEqual(["key-1", "user-1", "user-2"]);
    expect(people.attendees.sort()).toEqual(["contact-1", "contact-2"]);
  });
});
