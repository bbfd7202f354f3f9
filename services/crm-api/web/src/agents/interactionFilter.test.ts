import { describe, expect, it } from "vitest";

import { actionChoices, isUntrusted, matchesLocal, type Interaction } from "./interactionFilter";

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
    prev_hash: "0",
    hash: "1",
    ...patch,
  };
}

const none = { action: "", outcome: "", session: "" };

describe("interaction filters the API lacks", () => {
  it("matches an exact action or a family of them", () => {
    expect(matchesLocal(row({ action: "tool.search" }), { ...none, action: "tool.search" })).toBe(true);
    expect(matchesLocal(row({ action: "tool.timeline" }), { ...none, action: "tool.search" })).toBe(false);
    expect(matchesLocal(row({ action: "tool.timeline" }), { ...none, action: "tool." })).toBe(true);
    expect(matchesLocal(row({ action: "agent.add_note" }), { ...none, action: "tool." })).toBe(false);
  });

  it("filters by outcome and by the session named in the summary", () => {
    const proposed = row({ outcome: "proposed", summary: "evidence: contact:1; mcp session ABC-123; reason: x" });
    expect(matchesLocal(proposed, { ...none, outcome: "proposed" })).toBe(true);
    expect(matchesLocal(proposed, { ...none, outcome: "ok" })).toBe(false);
    expect(matchesLocal(proposed, { ...none, session: "abc-123" })).toBe(true);
    expect(matchesLocal(proposed, { ...none, session: "zzz" })).toBe(false);
  });

  it("offers the families before the actions seen", () => {
    expect(actionChoices([row({ action: "tool.search" }), row({ action: "agent.add_note" }), row({ action: "tool.find" })])).toEqual([
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
