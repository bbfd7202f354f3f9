/** The team: every user (a fund's team is tens of people, read whole), for names and pickers. */
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";

import { api, unwrap } from "./client";

export const USERS_KEY = ["users"] as const;

export function useUsers({ enabled = true }: { enabled?: boolean } = {}) {
  const query = useQuery({ queryKey: USERS_KEY, queryFn: () => unwrap(api.GET("/api/users")), staleTime: 300_000, enabled });
  const byId = useMemo(() => new Map((query.data ?? []).map((user) => [user.id, user])), [query.data]);
  return { ...query, byId };
}
