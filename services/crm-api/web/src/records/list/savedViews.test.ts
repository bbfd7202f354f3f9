import { beforeEach, describe, expect, it } from "vitest";

import { deleteView, loadViews, saveView, viewsKey } from "./savedViews";

describe("saved views", () => {
  beforeEach(() => window.localStorage.clear());

  it("are kept per user and per list", () => {
    saveView(window.localStorage, "u1", "contacts", { name: "Germany", search: "country=DE" });
    expect(loadViews(window.localStorage, "u1", "contacts")).toEqual([{ name: "Germany", search: "country=DE" }]);
    expect(loadViews(window.localStorage, "u2", "contacts")).toEqual([]);
    expect(loadViews(window.localStorage, "u1", "organizations")).toEqual([]);
    expect(window.localStorage.getItem(viewsKey("u1", "contacts"))).toContain("Germany");
  });

  it("replace a view of the same name, any case, and sort by name", () => {
    saveView(window.localStorage, "u1", "contacts", { name: "b", search: "q=1" });
    saveView(window.localStorage, "u1", "contacts", { name: "A", search: "q=2" });
    const views = saveView(window.localStorage, "u1", "contacts", { name: "B", search: "q=3" });
    expect(views).toEqual([
      { name: "A", search: "q=2" },
      { name: "B", search: "q=3" },
    ]);
  });

  it("ignore a blank name, delete by name, and survive corrupt storage", () => {
    expect(saveView(window.localStorage, "u1", "contacts", { name: "  ", search: "q=1" })).toEqual([]);
    saveView(window.localStorage, "u1", "contacts", { name: "x", search: "" });
    expect(deleteView(window.localStorage, "u1", "contacts", "x")).toEqual([]);
    window.localStorage.setItem(viewsKey("u1", "contacts"), "{not json");
    expect(loadViews(window.localStorage, "u1", "contacts")).toEqual([]);
  });
});
