import { describe, expect, it } from "vitest";

import { highlight, queryTerms } from "./highlight";

describe("queryTerms", () => {
  it("keeps meaningful words, folded, longest first", () => {
    expect(queryTerms("The Müller meeting on Fund II")).toEqual(["meeting", "muller", "fund", "ii"]);
    expect(queryTerms("  ")).toEqual([]);
  });
});

describe("highlight", () => {
  it("marks terms at the start of words, folding case and accents", () => {
    expect(highlight("Met Müller about commitments; MULLER agreed.", ["muller", "commit"])).toEqual([
      { text: "Met ", match: false },
      { text: "Müller", match: true },
      { text: " about ", match: false },
      { text: "commit", match: true },
      { text: "ments; ", match: false },
      { text: "MULLER", match: true },
      { text: " agreed.", match: false },
    ]);
  });

  it("does not mark inside a word", () => {
    expect(highlight("summit", ["mit"])).toEqual([{ text: "summit", match: false }]);
  });

  it("keeps markup as plain text", () => {
    const segments = highlight("<img src=x onerror=alert(1)> fund", ["fund"]);
    expect(segments.map((s) => s.text).join("")).toBe("<img src=x onerror=alert(1)> fund");
    expect(segments.at(-1)).toEqual({ text: "fund", match: true });
  });

  it("merges overlapping terms into one mark", () => {
    expect(highlight("fundraise", ["fund", "fundraise"])).toEqual([{ text: "fundraise", match: true }]);
  });
});
