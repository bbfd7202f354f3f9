/**
 * Names for the links a screen shows (an LP profile's investor, a follow-up's contact, a card's
 * organization). Each link asks for one id; the ids asked for within a few milliseconds go to
 * crm-api as one list request (`?id=a&id=b…`, up to a page of 200) through batshit's batcher, so a
 * list of 50 rows costs one request per record type instead of 50 dossier reads.
 */
import { useQueries, useQuery } from "@tanstack/react-query";
import { create, keyResolver, windowScheduler } from "@yornaath/batshit";
import { useMemo } from "react";

import { api, unwrap } from "./client";
import type { components } from "./schema";

type Contact = components["schemas"]["ContactRead"];
type Organization = components["schemas"]["OrganizationRead"];

/** The most ids one list request names (the API's page size limit). */
export const BATCH = 200;
const WINDOW_MS = 10;

/** Split ids into chunks the API takes in one request. */
export function chunks<T>(items: readonly T[], size = BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function listed<T>(ids: string[], page: (id: string[]) => Promise<{ items: T[] }>): Promise<T[]> {
  const pages = await Promise.all(chunks([...new Set(ids)]).map((chunk) => page(chunk)));
  return pages.flatMap((p) => p.items);
}

const contacts = create({
  fetcher: (ids: string[]) =>
    listed(ids, (id) => unwrap(api.GET("/api/contacts", { params: { query: { id, limit: BATCH, deleted: "include" } } }))),
  resolver: keyResolver("id"),
  scheduler: windowScheduler(WINDOW_MS),
});

const organizations = create({
  fetcher: (ids: string[]) =>
    listed(ids, (id) => unwrap(api.GET("/api/organizations", { params: { query: { id, limit: BATCH, deleted: "include" } } }))),
  resolver: keyResolver("id"),
  scheduler: windowScheduler(WINDOW_MS),
});

export function contactName(contact: Pick<Contact, "first_name" | "last_name">): string {
  return `${contact.first_name} ${contact.last_name}`.trim();
}

/** A record's name, or an error when no record has the id (the link then says so). */
function named<T extends { deleted_at: string | null }>(record: T | null | undefined, name: (r: T) => string): string {
  if (!record) throw new Error("no such record");
  return record.deleted_at ? `${name(record)} (deleted)` : name(record);
}

export function fetchContactName(id: string): Promise<string> {
  return contacts.fetch(id).then((c: Contact | null | undefined) => named(c, contactName));
}

export function fetchOrganizationName(id: string): Promise<string> {
  return organizations.fetch(id).then((o: Organization | null | undefined) => named(o, (r) => r.name));
}

const LONG = 5 * 60_000;

function nameQuery(kind: "contacts" | "organizations", id: string) {
  return {
    queryKey: [kind, "name", id],
    queryFn: () => (kind === "contacts" ? fetchContactName(id) : fetchOrganizationName(id)),
    staleTime: LONG,
    retry: false,
  } as const;
}

/** A contact's name for a link or a filter chip. */
export function useContactName(id: string | null | undefined) {
  return useQuery({ ...nameQuery("contacts", id ?? ""), enabled: Boolean(id) });
}

export function useOrganizationName(id: string | null | undefined) {
  return useQuery({ ...nameQuery("organizations", id ?? ""), enabled: Boolean(id) });
}

/** What a link says for an id no record has (purged, or never there). */
export const UNKNOWN_RECORD = "(not in the CRM)";

/** The names of many records at once (a page of follow-ups, a board's cards), by id; an id not
 * yet answered is missing from the map, one no record has maps to UNKNOWN_RECORD. */
export function useRecordNames(ids: { contacts?: readonly string[]; organizations?: readonly string[] }): ReadonlyMap<string, string> {
  const wanted = [
    ...[...new Set(ids.contacts ?? [])].map((id) => nameQuery("contacts", id)),
    ...[...new Set(ids.organizations ?? [])].map((id) => nameQuery("organizations", id)),
  ];
  const entries = useQueries({
    queries: wanted,
    combine: (results) =>
      results.flatMap((result, i) => {
        const id = wanted[i]?.queryKey[2] ?? "";
        if (result.data !== undefined) return [[id, result.data] as const];
        return result.isError ? [[id, UNKNOWN_RECORD] as const] : [];
      }),
  });
  return useMemo(() => new Map(entries), [entries]);
}
