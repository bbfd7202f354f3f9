import { describe, expect, it } from "vitest";

import { formatDate, formatMoney, formatRelative } from "./format";

describe("format", () => {
  it("shows a missing amount as a dash, not as zero", () => {
    expect(formatMoney(null)).toBe("—");
    expect(formatMoney("")).toBe("—");
    expect(formatMoney("not a number")).toBe("—");
  });

  it("formats a decimal string from the API as whole currency", () => {
    expect(formatMoney("2500000.00", "USD")).toMatch(/2,500,000/);
  });

  it("says how long ago or how soon, in words", () => {
    const now = new Date("2026-12-07T12:00:00Z");
    expect(formatRelative("2026-12-04T12:00:00Z", now)).toBe("3 days ago");
    expect(formatRelative("2026-12-07T14:00:00Z", now)).toBe("in 2 hours");
  });

  it("never throws on a bad date", () => {
    expect(formatDate("yesterday-ish")).toBe("—");
  });
});
