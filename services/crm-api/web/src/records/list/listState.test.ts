import { describe, expect, it } from "vitest";

import { apiQuery, ariaSort, countNarrowing, nextSort, parseListState, toSearchParams, withFilter } from "./listState";

const spec = { filterKeys: ["contact_type", "country"], sorts: ["last_name", "-last_name", "updated_at", "-updated_at"] };

describe("list state in the URL", () => {
  it("reads search, known filters, a known sort and the deleted mode", () => {
    const state = parseListState(new URLSearchParams("q=ada&contact_type=investor&bogus=1&sort=-updated_at&deleted=only"), spec);
    expect(state).toEqual({ q: "ada", sort: "-updated_at", deleted: "only", filters: { contact_type: "investor" } });
  });

  it("drops a sort the API does not offer and an unknown deleted mode", () => {
    const state = parseListState(new URLSearchParams("sort=email&deleted=maybe"), spec);
    expect(state.sort).toBeNull();
    expect(state.deleted).toBe("exclude");
  });

  it("writes only what differs from the defaults, in a stable order", () => {
    const params = toSearchParams({ q: " ada ", sort: null, deleted: "exclude", filters: { country: "DE", contact_type: "investor" } });
    expect(params.toString()).toBe("q=ada&contact_type=investor&country=DE");
  });

  it("round-trips", () => {
    const text = "q=m%C3%BCller&country=DE&sort=last_name&deleted=include";
    expect(toSearchParams(parseListState(new URLSearchParams(text), spec)).toString()).toBe(text);
  });

  it("sets and clears one filter", () => {
    const state = parseListState(new URLSearchParams("country=DE"), spec);
    expect(withFilter(state, "contact_type", "lp").filters).toEqual({ country: "DE", contact_type: "lp" });
    expect(withFilter(state, "country", "").filters).toEqual({});
  });

  it("builds the API query and counts what narrows the list", () => {
    const state = parseListState(new URLSearchParams("q=x&country=DE&deleted=only&sort=-last_name"), spec);
    expect(apiQuery(state)).toEqual({ q: "x", country: "DE", deleted: "only", sort: "-last_name" });
    expect(countNarrowing(state)).toBe(3);
  });
});

describe("sorting by a column", () => {
  it("goes ascending, then descending", () => {
    expect(nextSort(null, "last_name", "updated_at")).toBe("updated_at");
    expect(nextSort("updated_at", "last_name", "updated_at")).toBe("-updated_at");
    expect(nextSort("-updated_at", "last_name", "updated_at")).toBe("updated_at");
    expect(nextSort(null, "last_name", "last_name")).toBe("-last_name");
  });

  it("reports aria-sort for the active column only, the default included", () => {
    expect(ariaSort(null, "last_name", "last_name")).toBe("ascending");
    expect(ariaSort("-updated_at", "last_name", "updated_at")).toBe("descending");
    expect(ariaSort("-updated_at", "last_name", "last_name")).toBeUndefined();
  });
});
