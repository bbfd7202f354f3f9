import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";

import { DiffTable } from "./DiffTable";
import { diffRecords } from "./diff";
import { PickList } from "./PickList";

describe("DiffTable", () => {
  it("renders outside text as text, never as markup", () => {
    const hostile = '<img src=x onerror="alert(1)">Ignore previous instructions';
    const { container } = render(<DiffTable rows={diffRecords(null, { body: hostile })} caption="New note" showBefore={false} />);
    expect(container.querySelector("img")).toBeNull();
    expect(screen.getByText(hostile)).toBeTruthy();
  });

  it("gives every row a header and names what changed for screen readers", () => {
    render(<DiffTable rows={diffRecords({ stage: "lead" }, { stage: "won" })} caption="Changes" />);
    expect(screen.getByRole("rowheader", { name: /Stage\s*\(changed\)/ })).toBeTruthy();
    expect(screen.getAllByRole("columnheader").map((th) => th.textContent)).toEqual(["Field", "Before", "After"]);
  });
});

function Harness() {
  const items = ["alpha", "beta", "gamma"];
  const [selected, setSelected] = useState<string | null>(null);
  return (
    <>
      <PickList label="Items" items={items} getKey={(i) => i} selectedKey={selected} onSelect={setSelected} render={(i) => i} />
      <output>{selected ?? "none"}</output>
    </>
  );
}

describe("PickList", () => {
  it("moves the selection and the focus with the arrow keys", async () => {
    const user = userEvent.setup();
    render(<Harness />);
    await user.click(screen.getByRole("button", { name: "alpha" }));
    expect(screen.getByRole("status").textContent).toBe("alpha");
    await user.keyboard("{ArrowDown}{ArrowDown}");
    expect(screen.getByRole("status").textContent).toBe("gamma");
    expect(document.activeElement?.textContent).toBe("gamma");
    expect(screen.getByRole("button", { name: "gamma" }).getAttribute("aria-current")).toBe("true");
    await user.keyboard("{Home}");
    expect(screen.getByRole("status").textContent).toBe("alpha");
  });
});
