import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import type { components } from "../api/schema";
import { buildTimeline } from "./timeline";
import { Timeline } from "./Timeline";

type Communication = components["schemas"]["CommunicationRead"];

const TYPES = ["meeting", "call", "email", "note"];

function many(count: number): Communication[] {
  return Array.from({ length: count }, (_, index) => {
    const at = new Date(Date.UTC(2026, 0, 1) + index * 3_600_000).toISOString();
    return {
      id: `c${index}`,
      version: 1,
      created_at: at,
      updated_at: at,
      created_by: index % 2 ? "user-a" : "user-b",
      updated_by: "user-a",
      deleted_at: null,
      type: TYPES[index % 4] ?? "note",
      subject: `Subject ${index}`,
      body: index === 499 ? "<script>alert('x')</script> plain text" : `Body ${index}`,
      occurred_at: at,
      contact_id: "contact-1",
      organization_id: null,
      opportunity_id: null,
      attendee_ids: [],
      outcome: null,
      next_action: null,
      next_action_due: null,
    };
  });
}

function renderTimeline(count: number) {
  const items = buildTimeline(many(count));
  return render(
    <Timeline
      items={items}
      loading={false}
      hasMore={false}
      loadingMore={false}
      onLoadMore={vi.fn()}
      personLabel={(id) => ({ "user-a": "Ada", "user-b": "Bo", "contact-1": "Chris" })[id] ?? id}
      kindLabel={(kind) => kind.charAt(0).toUpperCase() + kind.slice(1)}
    />,
  );
}

describe("Timeline", () => {
  // jsdom has no layout: give the scrolling list the size a browser would.
  const sizes = { clientHeight: 640, clientWidth: 720, offsetHeight: 112, offsetWidth: 720 };
  const saved = Object.fromEntries(Object.keys(sizes).map((key) => [key, Object.getOwnPropertyDescriptor(HTMLElement.prototype, key)]));
  const rect = vi.spyOn(HTMLElement.prototype, "getBoundingClientRect");
  beforeAll(() => {
    rect.mockReturnValue(DOMRect.fromRect({ width: 720, height: 112 }));
    for (const [key, value] of Object.entries(sizes)) Object.defineProperty(HTMLElement.prototype, key, { configurable: true, get: () => value });
  });
  afterAll(() => {
    rect.mockRestore();
    for (const [key, descriptor] of Object.entries(saved)) if (descriptor) Object.defineProperty(HTMLElement.prototype, key, descriptor);
  });

  // How fast it draws is bench/web.py's to measure; here, that only the visible items are in the DOM.
  it("keeps only the visible ones of 500 items in the DOM, newest first", () => {
    renderTimeline(500);
    const rows = screen.getAllByRole("listitem");
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(40);
    expect(within(rows[0] as HTMLElement).getByRole("heading", { name: "Subject 499" })).toBeTruthy();
  });

  it("shows outside text as text, never as markup", () => {
    const { container } = renderTimeline(500);
    expect(container.querySelector("script")).toBeNull();
    expect(screen.getByText(/<script>alert\('x'\)<\/script> plain text/)).toBeTruthy();
  });

  it("filters by kind with toggle buttons and by person", async () => {
    const user = userEvent.setup();
    renderTimeline(8);
    await user.click(screen.getByRole("button", { name: /^Call/ }));
    expect(screen.getByRole("button", { name: /^Call/ }).getAttribute("aria-pressed")).toBe("true");
    expect(screen.getByRole("region").getAttribute("aria-label")).toBe("Timeline, 2 items, newest first");
    await user.click(screen.getByRole("button", { name: /^All/ }));
    await user.selectOptions(screen.getByLabelText("Person"), "Bo");
    expect(screen.getByRole("region").getAttribute("aria-label")).toBe("Timeline, 4 items, newest first");
  });

  it("shows synced mail as text with the untrusted badge, under the email filter", async () => {
    const user = userEvent.setup();
    const at = "2026-02-01T10:00:00Z";
    const items = buildTimeline(many(2), [], [
      {
        id: "m1",
        message_id: "<m1@example.com>",
        thread_id: "t1",
        sent_at: at,
        subject: "<img src=x onerror=alert(1)> Fund III",
        from: { address: "alice@northpeak.example", name: "Alice" },
        to: [{ address: "ann@fund.example", name: null }],
        cc: [],
        mailbox_user_id: "user-a",
        deleted_at: null,
        mailbox_user_ids: ["user-a"],
        labels: [],
        links: [],
        is_private: false,
        has_attachments: false,
      },
    ]);
    const { container } = render(
      <Timeline
        items={items}
        loading={false}
        hasMore={false}
        loadingMore={false}
        onLoadMore={vi.fn()}
        personLabel={(id) => ({ "user-a": "Ada" })[id] ?? id}
        kindLabel={(kind) => kind}
      />,
    );
    expect(container.querySelector("img")).toBeNull();
    const row = screen.getByRole("heading", { name: "<img src=x onerror=alert(1)> Fund III" }).closest("[role=listitem]") as HTMLElement;
    expect(within(row).getByText("untrusted")).toBeTruthy();
    expect(within(row).getByText("Alice <alice@northpeak.example>")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: /^email/ }));
    expect(screen.getByRole("region").getAttribute("aria-label")).toBe("Timeline, 1 items, newest first");
  });

  it("says what to do when there is no history", () => {
    renderTimeline(0);
    expect(screen.getByText("No history yet")).toBeTruthy();
  });
});
