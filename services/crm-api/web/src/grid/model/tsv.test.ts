import { describe, expect, it } from "vitest";

import { parseTsv, toTsv } from "./tsv";

describe("TSV", () => {
  it("round-trips a rectangle with tabs, quotes and line breaks inside fields", () => {
    const matrix = [
      ["Acme", "1000000.00", 'say "hi"'],
      ["two\nlines", "a\tb", ""],
    ];
    expect(parseTsv(toTsv(matrix))).toEqual(matrix);
  });

  it("reads what a spreadsheet copies: CRLF and a trailing line break", () => {
    expect(parseTsv("a\tb\r\nc\td\r\n")).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
  });

  it("keeps empty fields", () => {
    expect(parseTsv("\t\tx")).toEqual([["", "", "x"]]);
  });

  it("reads a single value", () => {
    expect(parseTsv("42")).toEqual([["42"]]);
  });
});
