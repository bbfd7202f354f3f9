import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";

import { moveActive } from "./combobox";
import { Combobox, type Choice } from "./Combobox";

const ORGS: Choice[] = [
  { id: "1", label: "Acme Capital" },
  { id: "2", label: "Beta Family Office" },
  { id: "3", label: "Gamma Endowment" },
];

function Harness({ onPick }: { onPick: (c: Choice | null) => void }) {
  const [value, setValue] = useState<Choice | null>(null);
  return (
    <QueryClientProvider client={new QueryClient()}>
      <Combobox
        label="Organization"
        value={value}
        cacheKey="orgs"
        search={(text) => Promise.resolve(ORGS.filter((o) => o.label.toLowerCase().includes(text.toLowerCase())))}
        onChange={(choice) => {
          setValue(choice);
          onPick(choice);
        }}
      />
    </QueryClientProvider>
  );
}

describe("moveActive", () => {
  it("wraps around both ways and jumps to the ends", () => {
    expect(moveActive(-1, 3, "ArrowDown")).toBe(0);
    expect(moveActive(2, 3, "ArrowDown")).toBe(0);
    expect(moveActive(0, 3, "ArrowUp")).toBe(2);
    expect(moveActive(-1, 3, "ArrowUp")).toBe(2);
    expect(moveActive(1, 3, "Home")).toBe(0);
    expect(moveActive(1, 3, "End")).toBe(2);
    expect(moveActive(1, 0, "ArrowDown")).toBe(-1);
  });
});

describe("Combobox", () => {
  it("is driven by the keyboard: type, arrows, Enter", async () => {
    const user = userEvent.setup();
    const picked: (Choice | null)[] = [];
    render(<Harness onPick={(c) => picked.push(c)} />);
    const input = screen.getByRole("combobox", { name: "Organization" });
    await user.click(input);
    await user.type(input, "a");
    await waitFor(() => expect(screen.getAllByRole("option")).toHaveLength(3));
    await user.keyboard("{ArrowDown}{ArrowDown}");
    expect(input.getAttribute("aria-activedescendant")).toBe(screen.getAllByRole("option")[1]?.id);
    expect(screen.getAllByRole("option")[1]?.getAttribute("aria-selected")).toBe("true");
    await user.keyboard("{Enter}");
    expect(picked.at(-1)).toEqual(ORGS[1]);
    expect((input as HTMLInputElement).value).toBe("Beta Family Office");
    expect(input.getAttribute("aria-expanded")).toBe("false");
  });

  it("closes on Escape and clears with its button", async () => {
    const user = userEvent.setup();
    const picked: (Choice | null)[] = [];
    render(<Harness onPick={(c) => picked.push(c)} />);
    const input = screen.getByRole("combobox", { name: "Organization" });
    await user.click(input);
    await user.type(input, "gam");
    await waitFor(() => expect(screen.getAllByRole("option")).toHaveLength(1));
    await user.keyboard("{ArrowDown}{Enter}");
    expect(picked.at(-1)?.id).toBe("3");
    await user.click(screen.getByRole("button", { name: "Clear Organization" }));
    expect(picked.at(-1)).toBeNull();
    expect((input as HTMLInputElement).value).toBe("");
    await user.type(input, "a");
    expect(input.getAttribute("aria-expanded")).toBe("true");
    await user.keyboard("{Escape}");
    expect(input.getAttribute("aria-expanded")).toBe("false");
  });
});
