/** Soft delete with Undo, and restore, for the three record kinds of this folder. */
import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api, unwrap } from "../api/client";
import { ApiError } from "../api/problem";
import { useToast } from "../ui/toast";

export type RecordKind = "organizations" | "contacts" | "lp-profiles";

async function deleteRecord(kind: RecordKind, id: string): Promise<void> {
  const path = { params: { path: { record_id: id } } };
  switch (kind) {
    case "organizations":
      await unwrap(api.DELETE("/api/organizations/{record_id}", path));
      return;
    case "contacts":
      await unwrap(api.DELETE("/api/contacts/{record_id}", path));
      return;
    case "lp-profiles":
      await unwrap(api.DELETE("/api/lp-profiles/{record_id}", path));
      return;
  }
}

async function restoreRecord(kind: RecordKind, id: string): Promise<void> {
  const path = { params: { path: { record_id: id } } };
  switch (kind) {
    case "organizations":
      await unwrap(api.POST("/api/organizations/{record_id}/restore", path));
      return;
    case "contacts":
      await unwrap(api.POST("/api/contacts/{record_id}/restore", path));
      return;
    case "lp-profiles":
      await unwrap(api.POST("/api/lp-profiles/{record_id}/restore", path));
      return;
  }
}

function reason(error: unknown): string {
  return error instanceof ApiError ? (error.problem.detail ?? error.problem.title) : "the server could not be reached";
}

/** `remove` deletes and offers Undo in a toast; `restore` brings a deleted record back. */
export function useSoftDelete(kind: RecordKind) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const refresh = () => queryClient.invalidateQueries({ queryKey: [kind] });

  const restore = useMutation({
    mutationFn: ({ id }: { id: string; label: string }) => restoreRecord(kind, id),
    onSuccess: (_, { label }) => {
      toast.show(`Restored ${label}`);
      void refresh();
    },
    onError: (error, { label }) => toast.show(`Could not restore ${label}: ${reason(error)}`, { tone: "error" }),
  });

  const remove = useMutation({
    mutationFn: ({ id }: { id: string; label: string }) => deleteRecord(kind, id),
    onSuccess: (_, variables) => {
      toast.show(`Deleted ${variables.label}`, {
        action: { label: "Undo", run: () => restore.mutate(variables) },
        ms: 10_000,
      });
      void refresh();
    },
    onError: (error, { label }) => toast.show(`Could not delete ${label}: ${reason(error)}`, { tone: "error" }),
  });

  return { remove, restore };
}
