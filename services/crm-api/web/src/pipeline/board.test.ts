import { describe, expect, it } from "vitest";

import { adjustReport, groupByStage, moveCard, neighbourColumn, type Opportunity, type PipelineReport } from "./board";

const opp = (id: string, stage: string, committed: string | null = null): Opportunity => ({
  id,
  version: 1,
  created_at: "",
  updated_at: "",
  created_by: "",
  updated_by: "",
  deleted_at: null,
  investor_organization_id: `org-${id}`,
  investor_contact_id: null,
  fund_id: "f",
  stage,
  expected_amount: "100.00",
  committed_amount: committed,
  funded_amount: null,
  currency: "USD",
  owner_id: null,
  next_step: "",
  lost_reason: null,
  close_date: null,
  description: "",
  tags: [],
  custom_fields: {},
});

const report: PipelineReport = {
  fund_id: "f",
  stages: [
    { stage: "lead", label: "Lead", is_closed: false, opportunities: 2, amounts: [{ currency: "USD", opportunities: 2, expected: "200.00", committed: "0.10", funded: "0.00" }] },
    { stage: "meeting", label: "Meeting", is_closed: false, opportunities: 0, amounts: [] },
  ],
  totals: [],
};

describe("the kanban", () => {
  it("groups cards by stage, empty stages included", () => {
    const columns = groupByStage(["lead", "meeting"], [opp("a", "lead"), opp("b", "lead")]);
    expect(columns.get("lead")?.map((o) => o.id)).toEqual(["a", "b"]);
    expect(columns.get("meeting")).toEqual([]);
  });

  it("moves a card and its amounts, exactly", () => {
    const card = opp("a", "lead", "0.10");
    expect(moveCard([card], "a", "meeting")[0]?.stage).toBe("meeting");
    const next = adjustReport(report, card, "lead", "meeting");
    expect(next.stages[0]?.opportunities).toBe(1);
    expect(next.stages[0]?.amounts[0]).toMatchObject({ opportunities: 1, expected: "100.00", committed: "0.00" });
    expect(next.stages[1]?.amounts).toEqual([{ currency: "USD", opportunities: 1, expected: "100.00", committed: "0.10", funded: "0.00" }]);
  });

  it("finds the column beside the current one for keyboard dragging", () => {
    const columns = [
      { id: "meeting", left: 300 },
      { id: "lead", left: 0 },
    ];
    expect(neighbourColumn(columns, "lead", 1)).toBe("meeting");
    expect(neighbourColumn(columns, "lead", -1)).toBeNull();
    expect(neighbourColumn(columns, null, 1)).toBe("lead");
  });
});
