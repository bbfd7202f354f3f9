import type { ColumnDef } from "@tanstack/react-table";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { DataTable } from "./DataTable";

interface Row {
  id: string;
  name: string;
  updated: string;
}

const columns: ColumnDef<Row>[] = [
  { id: "name", header: "Name", meta: { sortKey: "last_name" }, cell: ({ row }) => row.original.name },
  { id: "updated", header: "Updated", meta: { sortKey: "updated_at" }, cell: ({ row }) => row.original.updated },
  { id: "note", header: "Note", cell: () => "—" },
];
const data: Row[] = [
  { id: "a", name: "Ada", updated: "today" },
  { id: "b", name: "Bo", updated: "yesterday" },
];

describe("DataTable", () => {
  it("marks the sorted column with aria-sort and makes sortable headers buttons", () => {
    render(<DataTable caption="People" data={data} columns={columns} getRowId={(r) => r.id} sort="-updated_at" defaultSort="last_name" onSort={() => undefined} />);
    const table = screen.getByRole("table", { name: "People" });
    const headers = within(table).getAllByRole("columnheader");
    expect(headers.map((h) => h.getAttribute("aria-sort"))).toEqual([null, "descending", null]);
    expect(headers.every((h) => h.getAttribute("scope") === "col")).toBe(true);
    expect(within(headers[0] as HTMLElement).getByRole("button", { name: /Name/ })).toBeTruthy();
    expect(within(headers[2] as HTMLElement).queryByRole("button")).toBeNull();
    expect(within(table).getAllByRole("row")).toHaveLength(3);
  });

  it("asks for a column's sort from the keyboard", async () => {
    const user = userEvent.setup();
    const onSort = vi.fn();
    render(<DataTable caption="People" data={data} columns={columns} getRowId={(r) => r.id} sort={null} defaultSort="last_name" onSort={onSort} />);
    expect(screen.getAllByRole("columnheader")[0]?.getAttribute("aria-sort")).toBe("ascending");
    await user.tab();
    await user.tab();
    await user.keyboard("{Enter}");
    expect(onSort).toHaveBeenCalledWith("updated_at");
  });
});
