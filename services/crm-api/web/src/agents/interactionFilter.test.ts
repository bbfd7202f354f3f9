import { describe, expect, it } from "vitest";

import { actionChoices, isUntrusted, logQuery, type Interaction } from "./interactionFilter";

function row(patch: Partial<Interaction>): Interaction {
  return {
    seq: 1,
    at: "2026-12-01T00:00:00Z",
    actor_kind: "agent",
    actor_id: "k1",
    actor_name: "claude",
    action: "tool.search",
    channel: "mcp",
    summary: "",
    targets: [],
    payload_digest: null,
    outcome: "ok",
    duration_ms: 3,
    flags: [],
    request_id: null,
    session_id: null,
    prev_hash: "0",
    hash: "1",
    ...patch,
  };
}

const none = { actor: "", entity_type: "", entity_id: "", action: "", outcome: "", session: "" };

describe("interaction log filters", () => {
  it("sends only the filters that are set, trimmed", () => {
    expect(logQuery(none)).toEqual({
      actor_id: null,
      entity_type: null,
      entity_id: null,
      action: null,
      outcome: null,
      session_id: null,
    });
    expect(logQuery({ ...none, action: "tool.", outcome: "denied", session: " s-1 " })).toMatchObject({
      action: "tool.",
      outcome: "denied",
      session_id: "s-1",
    });
  });

  it("drops an outcome the API does not know (a hand-edited link)", () => {
    expect(logQuery({ ...none, outcome: "maybe" }).outcome).toBeNull();
  });

  it("offers the families before the actions seen", () => {
    expect(actionChoices(["tool.search", "agent.add_note", "tool.find"])).toEqual([
      "agent.",
      "tool.",
      "agent.add_note",
      "tool.find",
      "tool.search",
    ]);
  });

  it("knows the flags that mean outside text was involved", () => {
    expect(isUntrusted(row({ flags: ["untrusted_content"] }))).toBe(true);
    expect(isUntrusted(row({ flags: ["untrusted"] }))).toBe(true);
    expect(isUntrusted(row({ flags: ["dry_run"] }))).toBe(false);
  });
});
