import { describe, expect, it } from "vitest";

import type { components } from "../api/schema";
import { fromCents, moneyByFund, toCents } from "./money";

type Opportunity = components["schemas"]["OpportunityRead"];

function opportunity(overrides: Partial<Opportunity>): Opportunity {
  return {
    id: "o1",
    version: 1,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    created_by: "u1",
    updated_by: "u1",
    deleted_at: null,
    investor_organization_id: null,
    investor_contact_id: "c1",
    fund_id: "f1",
    stage: "committed",
    expected_amount: null,
    committed_amount: null,
    funded_amount: null,
    currency: "USD",
    owner_id: null,
    next_step: "",
    lost_reason: null,
    close_date: null,
    description: "",
    tags: [],
    custom_fields: {},
    ...overrides,
  };
}

describe("cents", () => {
  it("reads exact decimals without floating point", () => {
    expect(toCents("1250000.00")).toBe(125000000n);
    expect(toCents("0.1")).toBe(10n);
    expect(toCents("9007199254740993.07")).toBe(900719925474099307n);
    expect(toCents(null)).toBe(0n);
    expect(toCents("-2.5")).toBe(-250n);
  });

  it("writes them back with two places", () => {
    expect(fromCents(125000050n)).toBe("1250000.50");
    expect(fromCents(7n)).toBe("0.07");
    expect(fromCents(-250n)).toBe("-2.50");
  });
});

describe("moneyByFund", () => {
  it("sums per currency and never adds currencies together", () => {
    const { positions, totals } = moneyByFund(
      [
        opportunity({ id: "a", fund_id: "f2", expected_amount: "100.10", committed_amount: "50.00" }),
        opportunity({ id: "b", fund_id: "f1", expected_amount: "0.20", funded_amount: "10.00" }),
        opportunity({ id: "c", fund_id: "f3", currency: "EUR", expected_amount: "5.00" }),
      ],
      (id) => ({ f1: "Fund I", f2: "Fund II", f3: "Euro Fund" })[id] ?? id,
    );
    expect(positions.map((p) => p.fundName)).toEqual(["Euro Fund", "Fund I", "Fund II"]);
    expect(totals).toEqual([
      { currency: "EUR", expected: "5.00", committed: "0.00", funded: "0.00", opportunities: 1 },
      { currency: "USD", expected: "100.30", committed: "50.00", funded: "10.00", opportunities: 2 },
    ]);
  });
});
