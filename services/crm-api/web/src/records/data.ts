/** The reference data the lists and forms share: lookups, users, tags, custom fields, names. */
import { useQuery } from "@tanstack/react-query";

import { api, unwrap } from "../api/client";
import type { CustomFieldEntity, Lookup } from "./types";

const LONG = 5 * 60_000;

/** An admin-managed list (`organization_type`, `contact_type`, ...), in its order. */
export function useLookup(listName: string) {
  return useQuery({
    queryKey: ["lookups", listName],
    queryFn: () => unwrap(api.GET("/api/lookups/{list_name}", { params: { path: { list_name: listName } } })),
    staleTime: LONG,
  });
}

/** Options for a select: active values, plus the current one when it has been retired. */
export function lookupOptions(values: Lookup[] | undefined, current?: string | null): { value: string; label: string }[] {
  const options = (values ?? []).filter((v) => v.is_active).map((v) => ({ value: v.value, label: v.label }));
  if (current && !options.some((o) => o.value === current)) options.push({ value: current, label: `${current} (retired)` });
  return options;
}

/** The label of a lookup value, or the value itself. */
export function lookupLabel(values: Lookup[] | undefined, value: string | null | undefined): string {
  if (!value) return "—";
  return values?.find((v) => v.value === value)?.label ?? value;
}

export { useUsers } from "../api/users";

export function useTags() {
  return useQuery({
    queryKey: ["tags", { limit: 500 }],
    queryFn: () => unwrap(api.GET("/api/tags", { params: { query: { limit: 500, sort: "name" } } })),
    staleTime: LONG,
  });
}

export function useCustomFields(entity: CustomFieldEntity) {
  return useQuery({
    queryKey: ["custom-fields", entity],
    queryFn: () => unwrap(api.GET("/api/custom-fields", { params: { query: { entity } } })),
    staleTime: LONG,
  });
}

/** `"3"`: the If-Match header for the version a form was opened on. */
export function ifMatch(version: number): { "If-Match": string } {
  return { "If-Match": `"${version}"` };
}
