/**
 * Pure helpers between what a form holds (strings as typed) and what the API takes: custom
 * field values by type, the PATCH of only what changed, and list editors whose blank rows are
 * left out (with the server's row numbers mapped back onto the rows on screen).
 */
import type { CustomField } from "../types";

/** A custom field's value as its input holds it. */
export type CustomInput = string | boolean | string[];

/** A record's stored custom values as inputs: booleans and lists as they are, the rest as text. */
export function customFromApi(stored: Record<string, unknown> | undefined): Record<string, CustomInput> {
  const out: Record<string, CustomInput> = {};
  for (const [key, value] of Object.entries(stored ?? {})) {
    if (typeof value === "boolean") out[key] = value;
    else if (Array.isArray(value)) out[key] = value.filter((v): v is string => typeof v === "string");
    else if (typeof value === "string") out[key] = value;
    else if (value !== null && value !== undefined) out[key] = JSON.stringify(value);
  }
  return out;
}

function isBlank(value: CustomInput | undefined): boolean {
  return value === undefined || value === "" || (Array.isArray(value) && value.length === 0);
}

/**
 * The API's `custom_fields` for a form's inputs: numbers as numbers when they parse (otherwise
 * as typed, for the server to name the problem), decimals as strings, blanks left out. A
 * boolean that was never set stays out unless the field is required.
 */
export function customToApi(defs: CustomField[], inputs: Record<string, CustomInput>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const def of defs) {
    const input = inputs[def.key];
    if (def.type === "boolean") {
      if (input === true || def.is_required) out[def.key] = input === true;
      continue;
    }
    if (isBlank(input)) continue;
    if (def.type === "number" && typeof input === "string") {
      const number = Number(input.trim());
      out[def.key] = input.trim() !== "" && Number.isFinite(number) ? number : input;
    } else if (typeof input === "string") {
      out[def.key] = input.trim();
    } else {
      out[def.key] = input;
    }
  }
  return out;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The PATCH body that turns `before` into `after`: only the fields that differ. `custom_fields`
 * merges on the server, so it carries only the keys that changed, a removed key as null.
 */
export function diffPatch<T extends Record<string, unknown>>(before: T, after: T): Partial<T> {
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(after)) {
    if (key === "custom_fields") {
      const was = (before[key] ?? {}) as Record<string, unknown>;
      const now = (after[key] ?? {}) as Record<string, unknown>;
      const changed: Record<string, unknown> = {};
      for (const name of new Set([...Object.keys(was), ...Object.keys(now)])) {
        if (!same(was[name], now[name])) changed[name] = name in now ? now[name] : null;
      }
      if (Object.keys(changed).length > 0) patch[key] = changed;
    } else if (!same(before[key], after[key])) {
      patch[key] = after[key];
    }
  }
  return patch as Partial<T>;
}

/** A list editor's rows without the blank ones, and for each row sent, its row on screen. */
export function compactRows<R>(rows: R[], blank: (row: R) => boolean): { items: R[]; screenIndex: number[] } {
  const items: R[] = [];
  const screenIndex: number[] = [];
  rows.forEach((row, index) => {
    if (!blank(row)) {
      items.push(row);
      screenIndex.push(index);
    }
  });
  return { items, screenIndex };
}

/** Moves the server's `prefix.N...` messages onto the rows on screen. */
export function remapRowErrors(fields: Record<string, string>, prefix: string, screenIndex: number[]): Record<string, string> {
  const out: Record<string, string> = {};
  const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.(\\d+)(.*)$`);
  for (const [key, message] of Object.entries(fields)) {
    const match = pattern.exec(key);
    const sent = match ? Number(match[1]) : NaN;
    const screen = screenIndex[sent];
    out[match && screen !== undefined ? `${prefix}.${screen}${match[2] ?? ""}` : key] = message;
  }
  return out;
}

/** "" → null: optional text the API takes as absent. */
export function orNull(value: string): string | null {
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

/** Domains typed with commas, spaces or new lines. */
export function splitList(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((part) => part.trim())
    .filter(Boolean);
}
