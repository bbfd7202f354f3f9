import { fireEvent, render, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { CellInspector } from "./CellInspector";
import type { ColumnSpec } from "./model/columns";
import type { CellConflict } from "./model/state";
import type { PivotCell, PivotRow, Proposal } from "./model/types";

const cell = (over: Partial<PivotCell> = {}): PivotCell => ({
  opportunity_id: "o1",
  version: 3,
  stage: "meeting",
  expected_amount: null,
  committed_amount: "100.00",
  funded_amount: null,
  currency: "USD",
  ...over,
});

const row: PivotRow = {
  id: "r1",
  version: 1,
  investor: { kind: "organization", id: "org1", name: "Acorn Capital", domains: [] },
  position: 1,
  flags: [],
  lead_source: null,
  values: {},
  contacts: [],
  lists: [],
  last_touch_at: null,
  notes: [{ id: "n1", type: "email", subject: "Re: terms", body: "<b>not html</b>", occurred_at: "2026-01-01T00:00:00Z", contact_id: null, organization_id: "org1" }],
  cells: { f1: cell() },
};

const spec: ColumnSpec = { ref: "fund:f1", kind: "fund", label: "Fund I", width: 150, fundId: "f1", currency: "USD", editable: true };
const stages = [
  { value: "meeting", label: "Meeting" },
  { value: "committed", label: "Committed" },
];

const conflict: CellConflict = {
  rowId: "r1",
  fundId: "f1",
  base: cell({ version: 2, committed_amount: "50.00" }),
  mine: { committed_amount: "300.00" },
  theirs: cell({ version: 3, committed_amount: "100.00" }),
  theirsBy: "Bea",
};

function renderInspector(props: Partial<Parameters<typeof CellInspector>[0]> = {}) {
  const onResolve = vi.fn();
  const onDecide = vi.fn();
  render(
    <CellInspector
      row={row}
      spec={spec}
      amountField="committed_amount"
      stages={stages}
      cell={row.cells.f1}
      conflicts={[]}
      proposals={[]}
      lockedBy={null}
      decidingId={null}
      onSave={() => Promise.resolve(null)}
      onResolve={onResolve}
      onDecide={onDecide}
      {...props}
    />,
  );
  return { onResolve, onDecide };
}

describe("CellInspector", () => {
  it("shows both values of a conflict and saves the one chosen", () => {
    const { onResolve } = renderInspector({ conflicts: [{ key: "r1|fund:f1", where: "Acorn Capital · Fund I", conflict }] });
    const panel = screen.getByTestId("conflict");
    expect(within(panel).getByTestId("conflict-mine").textContent).toContain("300");
    expect(within(panel).getByTestId("conflict-theirs").textContent).toContain("100");
    expect(within(panel).getByText("Bea’s")).toBeTruthy();
    fireEvent.click(within(panel).getByRole("button", { name: "Save my choice" }));
    expect(onResolve).toHaveBeenCalledWith(conflict, { committed_amount: "300.00" });
  });

  it("keeps theirs without sending anything", () => {
    const { onResolve } = renderInspector({ conflicts: [{ key: "r1|fund:f1", where: "Acorn Capital · Fund I", conflict }] });
    fireEvent.click(screen.getByRole("button", { name: "Keep theirs" }));
    expect(onResolve).toHaveBeenCalledWith(conflict, null);
  });

  it("shows an agent's proposal with the untrusted mark, to accept or reject", () => {
    const proposal = {
      id: "p1",
      action: "set_amounts",
      params: { opportunity_id: "o1", committed_amount: "2500000.00" },
      untrusted: true,
      reason: "<script>alert(1)</script> said in an email",
      proposed_by_name: "agent-key",
      proposed_by_id: "k1",
    } as unknown as Proposal;
    const { onDecide } = renderInspector({ proposals: [proposal] });
    const card = screen.getByTestId("proposal");
    expect(within(card).getByText("untrusted")).toBeTruthy();
    expect(within(card).getByText(/Committed → \$2,500,000/)).toBeTruthy();
    // Outside text is text, never markup.
    expect(within(card).getByText("<script>alert(1)</script> said in an email")).toBeTruthy();
    fireEvent.click(within(card).getByRole("button", { name: "Accept" }));
    expect(onDecide).toHaveBeenCalledWith(proposal, "approve");
  });

  it("renders outreach notes as text", () => {
    renderInspector();
    expect(screen.getByText("<b>not html</b>")).toBeTruthy();
  });

  it("shows both values of a row conflict and saves the ones chosen", () => {
    const onResolveRow = vi.fn();
    const rowConflict = {
      rowId: "r1",
      version: 5,
      theirsBy: "Bea",
      merged: {},
      conflicts: [{ field: "lead_source" as const, mine: "referral", theirs: "conference" }],
    };
    renderInspector({ rowConflicts: [{ where: "Acorn Capital", label: () => "Lead source", conflict: rowConflict }], onResolveRow });
    const panel = screen.getByTestId("row-conflict");
    expect(within(panel).getByTestId("row-conflict-mine").textContent).toBe("referral");
    expect(within(panel).getByTestId("row-conflict-theirs").textContent).toBe("conference");
    fireEvent.click(within(panel).getByRole("button", { name: "Save my choice" }));
    expect(onResolveRow).toHaveBeenCalledWith(rowConflict, { lead_source: "referral" });
  });
});
