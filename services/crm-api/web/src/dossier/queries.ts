/**
 * The dossier's reads, as TanStack Query hooks with keys the other screens share
 * (["contacts", ...], ["communications", ...], ["follow-ups", ...]) so a write anywhere
 * refreshes them.
 */
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useCallback, useMemo } from "react";

import { api, unwrap } from "../api/client";
import type { components } from "../api/schema";

export type ContactDossier = components["schemas"]["ContactDossier"];
export type OrganizationDossier = components["schemas"]["OrganizationDossier"];
export type Communication = components["schemas"]["CommunicationRead"];
export type FollowUp = components["schemas"]["FollowUpView"];
export type Opportunity = components["schemas"]["OpportunityRead"];
export type LpProfile = components["schemas"]["LpProfileView"];
export type Canonical = components["schemas"]["CanonicalRef"];
export type User = components["schemas"]["UserRead"];
export type Lookup = components["schemas"]["LookupRead"];

/** Which record a dossier is about: the fields a communication or follow-up is filed on. */
export type Subject = { kind: "contact"; id: string } | { kind: "organization"; id: string };

export const HISTORY_PAGE = 200;
/** Enough history to read a relationship without paging by hand; older pages load on demand. */
export const INTERACTIONS_PAGE = 200;

export function useContactDossier(id: string) {
  return useQuery({
    queryKey: ["contacts", "dossier", id],
    queryFn: () => unwrap(api.GET("/api/contacts/{record_id}", { params: { path: { record_id: id } } })),
  });
}

export function useOrganizationDossier(id: string) {
  return useQuery({
    queryKey: ["organizations", "dossier", id],
    queryFn: () => unwrap(api.GET("/api/organizations/{record_id}", { params: { path: { record_id: id } } })),
  });
}

/** The whole communication history, newest first, a page of 200 at a time. */
export function useHistory(subject: Subject) {
  return useInfiniteQuery({
    queryKey: ["communications", { [`${subject.kind}_id`]: subject.id, limit: HISTORY_PAGE }],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => {
      const query = { limit: HISTORY_PAGE, sort: "-occurred_at" as const, cursor: pageParam };
      return subject.kind === "contact"
        ? unwrap(api.GET("/api/contacts/{record_id}/communications", { params: { path: { record_id: subject.id }, query } }))
        : unwrap(api.GET("/api/organizations/{record_id}/communications", { params: { path: { record_id: subject.id }, query } }));
    },
    getNextPageParam: (page) => page.next_cursor,
  });
}

export const EMAIL_PAGE = 100;

/**
 * The team's synced mail on the record (gmail-sync, through its canonical entity), newest first.
 * gmail-sync down (503) or not deployed leaves the timeline without mail, not broken.
 */
export function useEmails(subject: Subject) {
  return useInfiniteQuery({
    queryKey: ["email", "messages", subject.kind, subject.id],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => {
      const query = { limit: EMAIL_PAGE, cursor: pageParam };
      return subject.kind === "contact"
        ? unwrap(api.GET("/api/email/contacts/{record_id}/messages", { params: { path: { record_id: subject.id }, query } }))
        : unwrap(api.GET("/api/email/organizations/{record_id}/messages", { params: { path: { record_id: subject.id }, query } }));
    },
    getNextPageParam: (page) => page.next_cursor,
    retry: false,
  });
}

/** The interaction log's rows on the record (agents' actions among them). */
export function useInteractions(subject: Subject) {
  return useQuery({
    queryKey: ["interactions", { entity_type: subject.kind, entity_id: subject.id, limit: INTERACTIONS_PAGE }],
    queryFn: () =>
      unwrap(
        api.GET("/api/interactions", {
          params: { query: { entity_type: subject.kind, entity_id: subject.id, limit: INTERACTIONS_PAGE } },
        }),
      ),
  });
}

export { useUsers } from "../api/users";

export function useFunds() {
  const query = useQuery({
    queryKey: ["funds", { limit: 500 }],
    queryFn: () => unwrap(api.GET("/api/funds", { params: { query: { limit: 500, sort: "name" } } })),
    staleTime: 300_000,
  });
  const byId = useMemo(() => new Map((query.data?.items ?? []).map((fund) => [fund.id, fund])), [query.data]);
  const name = useCallback((id: string) => byId.get(id)?.name ?? "Unknown fund", [byId]);
  return { ...query, byId, name };
}

/** The admin-managed lists (stages, communication types, ...): label(list, value). */
export function useLookups() {
  const query = useQuery({ queryKey: ["lookups"], queryFn: () => unwrap(api.GET("/api/lookups")), staleTime: 300_000 });
  const label = useCallback(
    (list: string, value: string | null | undefined): string => {
      if (!value) return "—";
      return query.data?.[list]?.find((item) => item.value === value)?.label ?? humanize(value);
    },
    [query.data],
  );
  const values = useCallback((list: string): Lookup[] => (query.data?.[list] ?? []).filter((item) => item.is_active), [query.data]);
  return { ...query, label, values };
}

export function humanize(value: string): string {
  const text = value.replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

