/**
 * The one model of money on a dossier: each opportunity is one investor's position in one fund,
 * with expected, committed and funded amounts as exact decimal strings. Totals are summed in
 * integer cents per currency (never adding currencies together), as the API's reports do.
 */
import type { components } from "../api/schema";

type Opportunity = components["schemas"]["OpportunityRead"];

export interface FundPosition {
  opportunityId: string;
  fundId: string;
  fundName: string;
  stage: string;
  currency: string;
  expected: string | null;
  committed: string | null;
  funded: string | null;
  closeDate: string | null;
  nextStep: string;
}

export interface CurrencyTotal {
  currency: string;
  expected: string;
  committed: string;
  funded: string;
  opportunities: number;
}

/** "1250000.5" → 125000050n cents; null or blank → 0n. Exact: no floating point on the way. */
export function toCents(amount: string | null | undefined): bigint {
  if (!amount) return 0n;
  const match = /^(-?)(\d+)(?:\.(\d{0,2})\d*)?$/.exec(amount.trim());
  if (!match) return 0n;
  const [, sign, whole = "0", fraction = ""] = match;
  const cents = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, "0"));
  return sign === "-" ? -cents : cents;
}

/** 125000050n → "1250000.50". */
export function fromCents(cents: bigint): string {
  const negative = cents < 0n;
  const absolute = negative ? -cents : cents;
  const whole = absolute / 100n;
  const fraction = (absolute % 100n).toString().padStart(2, "0");
  return `${negative ? "-" : ""}${whole.toString()}.${fraction}`;
}

/** One row per opportunity (fund order by name), and totals per currency. */
export function moneyByFund(
  opportunities: readonly Opportunity[],
  fundName: (fundId: string) => string,
): { positions: FundPosition[]; totals: CurrencyTotal[] } {
  const positions = opportunities
    .map<FundPosition>((opportunity) => ({
      opportunityId: opportunity.id,
      fundId: opportunity.fund_id,
      fundName: fundName(opportunity.fund_id),
      stage: opportunity.stage,
      currency: opportunity.currency,
      expected: opportunity.expected_amount,
      committed: opportunity.committed_amount,
      funded: opportunity.funded_amount,
      closeDate: opportunity.close_date,
      nextStep: opportunity.next_step,
    }))
    .sort((a, b) => a.fundName.localeCompare(b.fundName) || a.opportunityId.localeCompare(b.opportunityId));

  const sums = new Map<string, { expected: bigint; committed: bigint; funded: bigint; count: number }>();
  for (const position of positions) {
    const sum = sums.get(position.currency) ?? { expected: 0n, committed: 0n, funded: 0n, count: 0 };
    sum.expected += toCents(position.expected);
    sum.committed += toCents(position.committed);
    sum.funded += toCents(position.funded);
    sum.count += 1;
    sums.set(position.currency, sum);
  }
  const totals = [...sums.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, sum]) => ({
      currency,
      expected: fromCents(sum.expected),
      committed: fromCents(sum.committed),
      funded: fromCents(sum.funded),
      opportunities: sum.count,
    }));
  return { positions, totals };
}
