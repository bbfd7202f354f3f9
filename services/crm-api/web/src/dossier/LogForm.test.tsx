import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";

import { emptyDraft, isSubmitShortcut, toCreateBody, type LogDraft } from "./logDraft";
import { LogForm } from "./LogForm";

const TYPES = [
  { value: "meeting", label: "Meeting" },
  { value: "call", label: "Call" },
];

function Harness({ onSubmit, errors = {} }: { onSubmit: (draft: LogDraft) => void; errors?: Record<string, string> }) {
  const [draft, setDraft] = useState(() => emptyDraft(new Date(2026, 2, 5, 14, 30), "me"));
  return (
    <QueryClientProvider client={new QueryClient()}>
      <LogForm
        draft={draft}
        onChange={setDraft}
        onSubmit={() => onSubmit(draft)}
        types={TYPES}
        opportunities={[]}
        owners={[{ value: "me", label: "Me" }]}
        suggestions={[{ id: "p1", label: "Pat Lee" }]}
        errors={errors}
        formError={errors.subject ? "Check the marked fields." : null}
        pending={false}
      />
    </QueryClientProvider>
  );
}

describe("the log form", () => {
  it("submits with Ctrl+Enter from the notes field, with what was typed", async () => {
    const user = userEvent.setup();
    const onSubmit = vi.fn();
    render(<Harness onSubmit={onSubmit} />);
    await user.type(screen.getByLabelText("Subject"), "Fund III intro");
    await user.type(screen.getByLabelText("Notes"), "Keen on co-invest");
    await user.click(screen.getByRole("button", { name: "+ Pat Lee" }));
    fireEvent.keyDown(screen.getByLabelText("Notes"), { key: "Enter", ctrlKey: true });
    expect(onSubmit).toHaveBeenCalledTimes(1);
    const draft = onSubmit.mock.calls[0]?.[0] as LogDraft;
    expect(draft.subject).toBe("Fund III intro");
    expect(draft.body).toBe("Keen on co-invest");
    expect(draft.attendees).toEqual([{ id: "p1", label: "Pat Lee" }]);
  });

  it("shows the server's field errors beside the fields and keeps the text", () => {
    render(<Harness onSubmit={vi.fn()} errors={{ subject: "too long" }} />);
    expect(screen.getByText("too long")).toBeTruthy();
    expect(screen.getByLabelText("Subject").getAttribute("aria-invalid")).toBe("true");
  });
});

describe("log draft", () => {
  it("knows the shortcut", () => {
    expect(isSubmitShortcut({ key: "Enter", ctrlKey: true, metaKey: false })).toBe(true);
    expect(isSubmitShortcut({ key: "Enter", ctrlKey: false, metaKey: true })).toBe(true);
    expect(isSubmitShortcut({ key: "Enter", ctrlKey: false, metaKey: false })).toBe(false);
  });

  it("builds the request body for a contact, with a follow-up", () => {
    const draft: LogDraft = {
      ...emptyDraft(new Date(2026, 2, 5, 14, 30), "me", "call"),
      subject: "  Catch-up ",
      attendees: [{ id: "p1", label: "Pat" }],
      followUp: true,
      nextAction: "Send deck",
      nextActionDue: "2026-03-12",
    };
    const body = toCreateBody(draft, { kind: "contact", id: "c1" });
    expect(body).toMatchObject({
      type: "call",
      subject: "Catch-up",
      contact_id: "c1",
      organization_id: null,
      attendee_ids: ["p1"],
      create_follow_up: true,
      next_action: "Send deck",
      next_action_due: "2026-03-12",
      follow_up_owner_id: "me",
    });
    expect(body.occurred_at).toBe(new Date(2026, 2, 5, 14, 30).toISOString());
  });

  it("sends no follow-up fields when none is asked for", () => {
    const body = toCreateBody(emptyDraft(new Date(), "me"), { kind: "organization", id: "o1" });
    expect(body).toMatchObject({ organization_id: "o1", contact_id: null, create_follow_up: false, next_action: null, follow_up_owner_id: null });
  });
});
