import { describe, expect, it } from "vitest";

import type { components } from "../api/schema";
import { hitHref } from "./citation";

type Hit = components["schemas"]["SearchHit"];

function hit(kind: string, id: string, extra: Partial<Hit> = {}): Hit {
  return {
    point_id: "p",
    chunk_no: 0,
    score: 1,
    snippet: "",
    title: "t",
    rehydrated: false,
    names: [],
    redactions: [],
    entity_ids: [],
    contact_ids: [],
    organization_ids: [],
    fund_ids: [],
    citation: { source_kind: kind, source_id: id, source_version: 1, event_time: "2026-01-01T00:00:00Z", crm_path: `/api/${kind}s/${id}` },
    ...extra,
  };
}

describe("hitHref", () => {
  it("opens contacts and organizations as dossiers", () => {
    expect(hitHref(hit("contact", "c1"))).toBe("/contacts/c1");
    expect(hitHref(hit("organization", "o1"))).toBe("/organizations/o1");
  });

  it("opens a communication in its contact's dossier, focused on it", () => {
    expect(hitHref(hit("communication", "m1", { contact_ids: ["c1"], organization_ids: ["o1"] }))).toBe(
      "/contacts/c1?item=communication%3Am1",
    );
    expect(hitHref(hit("communication", "m1", { organization_ids: ["o1"] }))).toBe("/organizations/o1?item=communication%3Am1");
  });

  it("falls back to the canonical entity, else nowhere", () => {
    expect(hitHref(hit("lp_profile", "l1", { entity_ids: ["e1"] }))).toBe("/entities/e1");
    expect(hitHref(hit("fund", "f1"))).toBeNull();
  });
});
