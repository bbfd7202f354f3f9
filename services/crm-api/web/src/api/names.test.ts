import { describe, expect, it } from "vitest";

import { BATCH, chunks, contactName } from "./names";

describe("names for links", () => {
  it("asks for at most a page of ids per request", () => {
    const ids = Array.from({ length: 450 }, (_, i) => `id-${i}`);
    const parts = chunks(ids);
    expect(parts.map((p) => p.length)).toEqual([BATCH, BATCH, 50]);
    expect(parts.flat()).toEqual(ids);
    expect(chunks([])).toEqual([]);
  });

  it("names a person by first and last name", () => {
    expect(contactName({ first_name: "Ada", last_name: "Lovelace" })).toBe("Ada Lovelace");
    expect(contactName({ first_name: "Cher", last_name: "" })).toBe("Cher");
  });
});
