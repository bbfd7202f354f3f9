import { describe, expect, it } from "vitest";

import { cleanParams, loadViews, parseViews, removeView, sameParams, storeViews, upsertView, viewsKey } from "./savedViews";

describe("saved views", () => {
  it("ignores what it cannot read", () => {
    expect(parseViews(null)).toEqual([]);
    expect(parseViews("{not json")).toEqual([]);
    expect(parseViews(JSON.stringify([{ name: "ok", params: { a: "1" } }, { name: 3 }, { name: "bad", params: { a: 1 } }]))).toEqual([
      { name: "ok", params: { a: "1" } },
    ]);
  });

  it("replaces a view of the same name, whatever its case, and keeps them sorted", () => {
    let views = upsertView([], { name: "Pending", params: { status: "pending" } });
    views = upsertView(views, { name: "another", params: {} });
    views = upsertView(views, { name: "pending ", params: { status: "approved" } });
    expect(views).toEqual([
      { name: "another", params: {} },
      { name: "pending", params: { status: "approved" } },
    ]);
    expect(removeView(views, "another")).toHaveLength(1);
  });

  it("sees empty filters as no filter", () => {
    expect(cleanParams({ q: "", status: "open" })).toEqual({ status: "open" });
    expect(sameParams({ q: "", status: "open" }, { status: "open" })).toBe(true);
    expect(sameParams({ status: "open" }, { status: "closed" })).toBe(false);
  });

  it("stores per list and per user, and survives a storage that throws", () => {
    const data = new Map<string, string>();
    const storage = { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v) };
    const key = viewsKey("proposals", "u1");
    storeViews(storage, key, [{ name: "mine", params: { q: "x" } }]);
    expect(loadViews(storage, key)).toEqual([{ name: "mine", params: { q: "x" } }]);
    expect(loadViews(storage, viewsKey("proposals", "u2"))).toEqual([]);
    const broken = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("full");
      },
    };
    expect(loadViews(broken, key)).toEqual([]);
    expect(() => storeViews(broken, key, [])).not.toThrow();
  });
});
