/**
 * What a failed save means for a form: messages per field, a message for the whole form, or a
 * stale version (409 version-conflict) that the user resolves by reloading or saving over it.
 */
import { ApiError } from "../api/problem";

export interface FormProblem {
  /** The server's message for each field, by its dotted name ("emails.0.email", "custom_fields.aum"). */
  fields: Record<string, string>;
  /** A sentence for the top of the form, or null when every message sits on a field. */
  message: string | null;
  /** Set when the record moved on since it was read. */
  conflict: { currentVersion: number } | null;
}

const VERSION_CONFLICT = "urn:lp-crm:problem:version-conflict";

/** Turns anything a mutation threw into what the form shows; nothing the user typed is touched. */
export function toFormProblem(error: unknown): FormProblem {
  if (!(error instanceof ApiError)) {
    return { fields: {}, message: "The server could not be reached; your changes are still here. Try again.", conflict: null };
  }
  const { problem } = error;
  if (problem.type === VERSION_CONFLICT) {
    const version = typeof problem.current_version === "number" ? problem.current_version : 0;
    return {
      fields: {},
      message: "Someone else changed this record since you opened it. Your changes are still in the form.",
      conflict: { currentVersion: version },
    };
  }
  const fields = error.fieldErrors();
  // Rule errors (InvalidValue, DuplicateRecord) name one field as an extension.
  if (typeof problem.field === "string" && problem.field) {
    fields[problem.field] ??= stripFieldPrefix(problem.detail ?? problem.title, problem.field);
  }
  const named = Object.keys(fields).length;
  const message = named > 0 ? (named === 1 ? "Please correct the field marked below." : `Please correct the ${named} fields marked below.`) : (problem.detail ?? problem.title);
  return { fields, message, conflict: null };
}

/** "emails: an address is listed twice" on the emails field reads better without "emails: ". */
function stripFieldPrefix(text: string, field: string): string {
  const prefix = `${field}: `;
  return text.startsWith(prefix) ? text.slice(prefix.length) : text;
}

/**
 * The messages of a group of fields that do not have a control of their own ("emails",
 * "emails.1", "emails.1.email" all belong to the emails editor).
 */
export function errorsUnder(fields: Record<string, string>, prefix: string): string[] {
  return Object.entries(fields)
    .filter(([key]) => key === prefix || key.startsWith(`${prefix}.`))
    .map(([key, message]) => (key === prefix ? message : `${key.slice(prefix.length + 1)}: ${message}`));
}

/** The first message for a field or anything nested in it (a row of a list editor). */
export function errorAt(fields: Record<string, string>, name: string): string | undefined {
  if (fields[name]) return fields[name];
  const nested = Object.entries(fields).find(([key]) => key.startsWith(`${name}.`));
  return nested?.[1];
}

/** "emails.0.email" → "emails 1 › email": a field's name for the summary at the top of a form. */
export function fieldName(key: string): string {
  return key
    .split(".")
    .map((part) => (/^\d+$/.test(part) ? String(Number(part) + 1) : part.replace(/_/g, " ")))
    .join(" › ")
    .replace(/ › (\d+)/g, " $1")
    .replace(/^./, (first) => first.toUpperCase());
}
