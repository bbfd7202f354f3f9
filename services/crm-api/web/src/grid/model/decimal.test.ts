import { describe, expect, it } from "vitest";

import { addAmounts, fromCents, parseAmount, subtractAmounts, toCents } from "./decimal";

describe("cents", () => {
  it("round-trips the API's decimal strings", () => {
    expect(toCents("1250000.00")).toBe(125000000n);
    expect(toCents("3.5")).toBe(350n);
    expect(fromCents(125000000n)).toBe("1250000.00");
    expect(fromCents(-5n)).toBe("-0.05");
    expect(toCents("abc")).toBeNull();
  });

  it("adds and subtracts exactly", () => {
    expect(addAmounts("0.10", "0.20")).toBe("0.30");
    expect(addAmounts(null, "5.00")).toBe("5.00");
    expect(subtractAmounts("100.00", "0.01")).toBe("99.99");
  });
});

describe("parseAmount", () => {
  it.each([
    ["$2,500,000", "2500000.00"],
    ["2500000", "2500000.00"],
    ["1,234.56", "1234.56"],
    ["1.234,56", "1234.56"],
    ["2 500 000,50", "2500000.50"],
    ["1.000.000", "1000000.00"],
    ["1.5m", "1500000.00"],
    ["250k", "250000.00"],
    ["USD 10", "10.00"],
    ["12,5", "12.50"],
  ])("reads %s as %s", (text, value) => {
    expect(parseAmount(text)).toBe(value);
  });

  it("returns null for empty text and undefined for words", () => {
    expect(parseAmount("  ")).toBeNull();
    expect(parseAmount("—")).toBeNull();
    expect(parseAmount("soon")).toBeUndefined();
    expect(parseAmount("1.234")).toBeUndefined();
  });
});
