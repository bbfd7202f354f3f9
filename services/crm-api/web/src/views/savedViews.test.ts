import { describe, expect, it } from "vitest";

import {
  activeView,
  cleanParams,
  findByName,
  legacyKeys,
  paramsFromSearch,
  parseLegacy,
  readLegacy,
  reorder,
  sameParams,
  searchFromParams,
  splitViews,
  viewsToMove,
  type SavedView,
} from "./savedViews";

function view(fields: Partial<SavedView>): SavedView {
  return {
    id: "v1",
    version: 1,
    created_at: "2026-12-01T00:00:00Z",
    updated_at: "2026-12-01T00:00:00Z",
    created_by: "u1",
    updated_by: "u1",
    deleted_at: null,
    owner_id: "u1",
    owner_name: "Ana",
    list_key: "contacts",
    name: "Germany",
    params: {},
    is_shared: false,
    position: 0,
    ...fields,
  };
}

describe("view params", () => {
  it("see empty filters as no filter", () => {
    expect(cleanParams({ q: "", status: "open" })).toEqual({ status: "open" });
    expect(sameParams({ q: "", status: "open" }, { status: "open" })).toBe(true);
    expect(sameParams({ status: "open" }, { status: "closed" })).toBe(false);
    expect(sameParams({ status: "open" }, { status: "open", q: "x" })).toBe(false);
  });

  it("come from a URL without paging or blanks, and keep a name given twice", () => {
    expect(paramsFromSearch("?overdue=1&cursor=abc&q=&mine=1")).toEqual({ overdue: "1", mine: "1" });
    const params = paramsFromSearch("q=fund&kind=call&kind=email");
    expect(params).toEqual({ q: "fund", kind: "call\nemail" });
    expect(searchFromParams(params).toString()).toBe("kind=call&kind=email&q=fund");
    expect(paramsFromSearch(searchFromParams(params))).toEqual(params);
  });
});

describe("the menu", () => {
  const mine2 = view({ id: "m2", name: "B", position: 1, params: { country: "FR" } });
  const mine1 = view({ id: "m1", name: "A", position: 0, params: { country: "DE" } });
  const theirs = view({ id: "t1", owner_id: "u2", owner_name: "Ben", name: "Team", is_shared: true, params: { country: "DE" } });

  it("puts the user's views first, by position, then the team's", () => {
    const { mine, shared } = splitViews([theirs, mine2, mine1], "u1");
    expect(mine.map((v) => v.id)).toEqual(["m1", "m2"]);
    expect(shared.map((v) => v.id)).toEqual(["t1"]);
  });

  it("marks the view whose params the list shows, preferring the user's own", () => {
    expect(activeView([mine1, theirs], { country: "DE", q: "" })?.id).toBe("m1");
    expect(activeView([mine1, theirs], { country: "US" })).toBeUndefined();
  });

  it("finds a view by name whatever its case", () => {
    expect(findByName([mine1, mine2], " b ")?.id).toBe("m2");
    expect(findByName([mine1], "C")).toBeUndefined();
  });

  it("moves a view up or down and renumbers only what changed", () => {
    const third = view({ id: "m3", name: "C", position: 2 });
    expect(reorder([mine1, mine2, third], "m3", -1).map((c) => [c.view.id, c.position])).toEqual([
      ["m3", 1],
      ["m2", 2],
    ]);
    expect(reorder([mine1, mine2], "m1", -1)).toEqual([]);
    expect(reorder([mine1, mine2], "m2", 1)).toEqual([]);
    // Equal positions (views moved from this browser) are spread out on the first move.
    const same = [view({ id: "a", position: 0 }), view({ id: "b", position: 0 }), view({ id: "c", position: 0 })];
    expect(reorder(same, "a", 1).map((c) => [c.view.id, c.position])).toEqual([
      ["a", 1],
      ["c", 2],
    ]);
  });
});

describe("views kept in this browser before the server", () => {
  it("are read from each old format, ignoring what is malformed", () => {
    expect(parseLegacy(JSON.stringify([{ name: "Pending", params: { status: "pending", q: "" } }, { name: 3 }, { name: "bad", params: { a: 1 } }]))).toEqual([
      { name: "Pending", params: { status: "pending" } },
    ]);
    expect(parseLegacy(JSON.stringify([{ name: " Germany ", search: "country=DE&sort=-name&cursor=x" }]))).toEqual([
      { name: "Germany", params: { country: "DE", sort: "-name" } },
    ]);
    expect(parseLegacy("{not json")).toEqual([]);
    expect(parseLegacy(null)).toEqual([]);
    expect(parseLegacy(JSON.stringify([{ name: "   ", search: "q=1" }, null]))).toEqual([]);
  });

  it("are cut to what the server accepts", () => {
    const [long] = parseLegacy(JSON.stringify([{ name: "x".repeat(150), params: { "bad key": "1", ok: "y".repeat(1001), q: "fine" } }]));
    expect(long?.name).toHaveLength(100);
    expect(long?.params).toEqual({ q: "fine" });
  });

  it("are looked for under every old key of the list", () => {
    expect(legacyKeys("contacts", "u1")).toEqual(["lpcrm:views:contacts:u1", "lpcrm.views.v1.u1.contacts", "lp-crm.contacts.views"]);
    const data = new Map([
      ["lpcrm.views.v1.u1.contacts", JSON.stringify([{ name: "Germany", search: "country=DE" }])],
      ["lpcrm.views.v1.u2.contacts", JSON.stringify([{ name: "Other user", search: "country=FR" }])],
    ]);
    const storage = { getItem: (key: string) => data.get(key) ?? null };
    expect(readLegacy(storage, "contacts", "u1")).toEqual({
      keys: ["lpcrm.views.v1.u1.contacts"],
      views: [{ name: "Germany", params: { country: "DE" } }],
    });
    const blocked = {
      getItem: (): string | null => {
        throw new Error("denied");
      },
    };
    expect(readLegacy(blocked, "contacts", "u1")).toEqual({ keys: [], views: [] });
  });

  it("are moved once per name the user does not have on the server", () => {
    const legacy = [
      { name: "Germany", params: { country: "DE" } },
      { name: "germany", params: { country: "AT" } },
      { name: "France", params: { country: "FR" } },
    ];
    expect(viewsToMove(legacy, [view({ name: "FRANCE" })])).toEqual([{ name: "Germany", params: { country: "DE" } }]);
  });
});
