/**
 * Automation rules in words, and the rule editor's JSON fields: parse what was typed, and put the
 * server's 422 messages (`actions.0.list`) on the field they belong to (`actions`).
 */
export type JsonParse = { ok: true; value: unknown } | { ok: false; error: string };

export function parseJson(text: string, fallback?: unknown): JsonParse {
  if (text.trim() === "") {
    return fallback === undefined ? { ok: false, error: "Required" } : { ok: true, value: fallback };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** Field errors keyed by the first segment of their path, messages joined with their sub-path. */
export function errorsByRoot(errors: Record<string, string>): Record<string, string> {
  const out: Record<string, string[]> = {};
  for (const [field, message] of Object.entries(errors)) {
    const [root = field, ...rest] = field.split(".");
    (out[root] ??= []).push(rest.length ? `${rest.join(".")}: ${message}` : message);
  }
  return Object.fromEntries(Object.entries(out).map(([root, messages]) => [root, messages.join("; ")]));
}

const OP_WORDS: Record<string, string> = {
  eq: "is",
  ne: "is not",
  gt: ">",
  gte: "≥",
  lt: "<",
  lte: "≤",
  in: "is one of",
  not_in: "is none of",
  contains: "contains",
  starts_with: "starts with",
  is_empty: "is empty",
  is_not_empty: "is set",
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function literal(value: unknown): string {
  return typeof value === "string" ? `“${value}”` : JSON.stringify(value);
}

/** A condition as a sentence: `{"all":[{"field":"flag.graveyard"}]}` → "flag.graveyard is set". */
export function describeCondition(condition: unknown, depth = 0): string {
  if (condition === true) return "every row";
  if (condition === false) return "no row";
  if (!isObject(condition) || depth > 8) return JSON.stringify(condition);
  if (Array.isArray(condition.all)) {
    const parts = condition.all.map((c) => describeCondition(c, depth + 1));
    return parts.length ? parts.map((p) => (parts.length > 1 && p.includes(" or ") ? `(${p})` : p)).join(" and ") : "every row";
  }
  if (Array.isArray(condition.any)) {
    const parts = condition.any.map((c) => describeCondition(c, depth + 1));
    return parts.length ? parts.join(" or ") : "no row";
  }
  if ("not" in condition) return `not (${describeCondition(condition.not, depth + 1)})`;
  if (typeof condition.field === "string") {
    const hasValue = "value" in condition;
    const op = typeof condition.op === "string" ? condition.op : hasValue ? "eq" : "is_not_empty";
    const words = OP_WORDS[op] ?? op;
    return hasValue && op !== "is_empty" && op !== "is_not_empty"
      ? `${condition.field} ${words} ${literal(condition.value)}`
      : `${condition.field} ${words}`;
  }
  return JSON.stringify(condition);
}

/** An action as words: "add to list follow_up", "set flag graveyard off". */
export function describeAction(action: Record<string, unknown>): string {
  const s = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
  switch (action.type) {
    case "add_to_list":
      return `add to list ${s(action.list)}`;
    case "remove_from_list":
      return `remove from list ${s(action.list)}`;
    case "set_flag":
      return `set flag ${s(action.flag)} ${action.value === false ? "off" : "on"}`;
    case "set_field":
      return `set ${s(action.field)} to ${literal(action.value)}`;
    case "create_follow_up":
      return `follow up “${s(action.title)}” in ${typeof action.due_in_days === "number" ? action.due_in_days : 0} days`;
    default:
      return JSON.stringify(action);
  }
}

/** 86400 → "every day", 900 → "every 15 min". */
export function describeSchedule(seconds: number | null): string | null {
  if (seconds === null) return null;
  if (seconds % 86400 === 0) return seconds === 86400 ? "every day" : `every ${seconds / 86400} days`;
  if (seconds % 3600 === 0) return seconds === 3600 ? "every hour" : `every ${seconds / 3600} h`;
  if (seconds % 60 === 0) return `every ${seconds / 60} min`;
  return `every ${seconds} s`;
}
