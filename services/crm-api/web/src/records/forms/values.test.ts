import { describe, expect, it } from "vitest";

import type { CustomField } from "../types";
import { compactRows, customFromApi, customToApi, diffPatch, remapRowErrors, splitList } from "./values";

function field(key: string, type: CustomField["type"], extra: Partial<CustomField> = {}): CustomField {
  return { id: key, entity: "contact", key, label: key, type, options: [], is_required: false, position: 0, is_active: true, created_at: "", updated_at: "", ...extra };
}

describe("custom field values", () => {
  const defs = [field("aum", "number"), field("ticket", "decimal"), field("vip", "boolean"), field("regions", "multiselect", { options: ["EU", "US"] }), field("since", "date")];

  it("go to the API typed, blanks left out", () => {
    expect(customToApi(defs, { aum: "1200", ticket: " 250000.50 ", vip: true, regions: ["EU"], since: "" })).toEqual({ aum: 1200, ticket: "250000.50", vip: true, regions: ["EU"] });
  });

  it("send a number that does not parse as typed, for the server to name", () => {
    expect(customToApi(defs, { aum: "lots" })).toEqual({ aum: "lots" });
  });

  it("leave an unset boolean out unless it is required", () => {
    expect(customToApi(defs, { vip: false })).toEqual({});
    expect(customToApi([field("vip", "boolean", { is_required: true })], { vip: false })).toEqual({ vip: false });
  });

  it("come from the API as inputs", () => {
    expect(customFromApi({ aum: 5, vip: true, regions: ["US"], note: "x", gone: null })).toEqual({ aum: "5", vip: true, regions: ["US"], note: "x" });
  });
});

describe("the PATCH of an edit", () => {
  it("holds only the fields that changed", () => {
    expect(diffPatch({ name: "A", tags: ["1"], website: null }, { name: "B", tags: ["1"], website: null })).toEqual({ name: "B" });
  });

  it("merges custom fields: changed keys, and a removed one as null", () => {
    const before = { name: "A", custom_fields: { aum: 1, region: "EU" } };
    const after = { name: "A", custom_fields: { aum: 2 } };
    expect(diffPatch(before, after)).toEqual({ custom_fields: { aum: 2, region: null } });
  });

  it("is empty when nothing changed", () => {
    expect(diffPatch({ a: [1, 2], custom_fields: {} }, { a: [1, 2], custom_fields: {} })).toEqual({});
  });
});

describe("list editors", () => {
  it("leave blank rows out and move the server's row numbers back to the screen", () => {
    const { items, screenIndex } = compactRows(["", "a@x.io", "", "bad"], (row) => row === "");
    expect(items).toEqual(["a@x.io", "bad"]);
    expect(screenIndex).toEqual([1, 3]);
    expect(remapRowErrors({ "emails.1.email": "not an email", first_name: "required", emails: "twice" }, "emails", screenIndex)).toEqual({
      "emails.3.email": "not an email",
      first_name: "required",
      emails: "twice",
    });
  });

  it("split domains typed with commas, spaces or lines", () => {
    expect(splitList("a.com, b.org\nc.net;  ")).toEqual(["a.com", "b.org", "c.net"]);
  });
});
