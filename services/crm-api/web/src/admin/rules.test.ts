import { describe, expect, it } from "vitest";

import { describeAction, describeCondition, describeSchedule, errorsByRoot, parseJson } from "./rules";

describe("rule editor JSON", () => {
  it("parses, falls back on empty optional fields, and says why it cannot", () => {
    expect(parseJson('{"field": "flag.x"}')).toEqual({ ok: true, value: { field: "flag.x" } });
    expect(parseJson("  ", [])).toEqual({ ok: true, value: [] });
    expect(parseJson("")).toEqual({ ok: false, error: "Required" });
    const bad = parseJson("{nope");
    expect(bad.ok).toBe(false);
  });

  it("puts nested server errors on their top-level field", () => {
    expect(errorsByRoot({ "actions.0.list": "Field required", name: "Too long", "actions.1": "bad" })).toEqual({
      actions: "0.list: Field required; 1: bad",
      name: "Too long",
    });
  });
});

describe("rules in words", () => {
  it("reads conditions", () => {
    expect(describeCondition(true)).toBe("every row");
    expect(describeCondition({ field: "flag.graveyard" })).toBe("flag.graveyard is set");
    expect(
      describeCondition({
        all: [
          { field: "days_since_last_touch", op: "gt", value: 90 },
          { any: [{ field: "investor_kind", value: "organization" }, { not: { field: "list.all" } }] },
        ],
      }),
    ).toBe("days_since_last_touch > 90 and (investor_kind is “organization” or not (list.all is set))");
  });

  it("reads actions and schedules", () => {
    expect(describeAction({ type: "set_flag", flag: "follow_up", value: false })).toBe("set flag follow_up off");
    expect(describeAction({ type: "create_follow_up", title: "Call", due_in_days: 3 })).toBe("follow up “Call” in 3 days");
    expect(describeSchedule(86400)).toBe("every day");
    expect(describeSchedule(900)).toBe("every 15 min");
    expect(describeSchedule(null)).toBeNull();
  });
});
