import { describe, expect, it } from "vitest";

import { normalizeSearch, parseViews, removeView, upsertView } from "./savedViews";

describe("saved views", () => {
  it("normalizes a query string: no cursor, no blanks, stable order", () => {
    expect(normalizeSearch("?overdue=1&cursor=abc&q=&mine=1")).toBe("mine=1&overdue=1");
  });

  it("replaces a view of the same name, any case, and sorts by name", () => {
    let views = upsertView([], { name: "Overdue", search: "overdue=1" });
    views = upsertView(views, { name: "Alpha", search: "mine=1" });
    views = upsertView(views, { name: "overdue", search: "overdue=1&mine=1" });
    expect(views).toEqual([
      { name: "Alpha", search: "mine=1" },
      { name: "overdue", search: "mine=1&overdue=1" },
    ]);
    expect(removeView(views, "Alpha")).toEqual([{ name: "overdue", search: "mine=1&overdue=1" }]);
    expect(upsertView(views, { name: "  ", search: "x=1" })).toHaveLength(2);
  });

  it("reads back only well-formed views", () => {
    expect(parseViews('[{"name":"a","search":"q=1"},{"name":2},null]')).toEqual([{ name: "a", search: "q=1" }]);
    expect(parseViews("not json")).toEqual([]);
    expect(parseViews(null)).toEqual([]);
  });
});
