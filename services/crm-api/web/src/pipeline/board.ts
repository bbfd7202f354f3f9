/**
 * The kanban's pure logic: cards per stage, an optimistic move, and the stage totals adjusted
 * for it (exact, in cents) until the server's report comes back.
 */
import type { components } from "../api/schema";
import { addAmounts, subtractAmounts } from "../grid/model/decimal";

export type Opportunity = components["schemas"]["OpportunityRead"];
export type PipelineReport = components["schemas"]["PipelineReport"];
export type PipelineStage = PipelineReport["stages"][number];
type Amounts = PipelineStage["amounts"][number];

export function groupByStage(stages: readonly string[], opportunities: readonly Opportunity[]): Map<string, Opportunity[]> {
  const columns = new Map<string, Opportunity[]>(stages.map((stage) => [stage, []]));
  for (const opportunity of opportunities) {
    const column = columns.get(opportunity.stage);
    if (column) column.push(opportunity);
    else columns.set(opportunity.stage, [opportunity]);
  }
  return columns;
}

export function moveCard(opportunities: readonly Opportunity[], id: string, stage: string): Opportunity[] {
  return opportunities.map((opportunity) => (opportunity.id === id ? { ...opportunity, stage } : opportunity));
}

function shift(amounts: readonly Amounts[], opportunity: Opportunity, sign: 1 | -1): Amounts[] {
  const op = sign === 1 ? addAmounts : subtractAmounts;
  const found = amounts.some((amount) => amount.currency === opportunity.currency);
  const base = found
    ? amounts
    : [...amounts, { currency: opportunity.currency, opportunities: 0, expected: "0.00", committed: "0.00", funded: "0.00" }];
  return base
    .map((amount) =>
      amount.currency !== opportunity.currency
        ? amount
        : {
            ...amount,
            opportunities: amount.opportunities + sign,
            expected: op(amount.expected, opportunity.expected_amount),
            committed: op(amount.committed, opportunity.committed_amount),
            funded: op(amount.funded, opportunity.funded_amount),
          },
    )
    .filter((amount) => amount.opportunities > 0);
}

/** The report as it will be once the card has moved from one stage to another. */
export function adjustReport(report: PipelineReport, opportunity: Opportunity, from: string, to: string): PipelineReport {
  if (from === to) return report;
  return {
    ...report,
    stages: report.stages.map((stage) => {
      if (stage.stage === from) return { ...stage, opportunities: stage.opportunities - 1, amounts: shift(stage.amounts, opportunity, -1) };
      if (stage.stage === to) return { ...stage, opportunities: stage.opportunities + 1, amounts: shift(stage.amounts, opportunity, 1) };
      return stage;
    }),
  };
}

/** Keyboard dragging: the column to the left or right of the one the card is over. */
export function neighbourColumn(columns: readonly { id: string; left: number }[], current: string | null, direction: -1 | 1): string | null {
  const ordered = [...columns].sort((a, b) => a.left - b.left);
  const index = ordered.findIndex((column) => column.id === current);
  if (index < 0) return ordered[0]?.id ?? null;
  return ordered[index + direction]?.id ?? null;
}
