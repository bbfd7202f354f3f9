/** A list's saved views through TanStack Query: read, save, change, delete with undo, and the
 * one-time move of the views this browser kept in localStorage. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";

import { api, unwrap } from "../api/client";
import { ApiError } from "../api/problem";
import { useUser } from "../auth/session";
import { useToast } from "../ui/toast";
import { readLegacy, splitViews, viewsToMove, type SavedView, type ViewParams } from "./savedViews";

export const viewsQueryKey = (list: string) => ["saved-views", list] as const;

function reason(error: unknown): string {
  return error instanceof ApiError ? error.message : "the server could not be reached";
}

function ifMatch(view: SavedView) {
  return { "If-Match": `"${view.version}"` };
}

export interface ViewChanges {
  name?: string;
  params?: ViewParams;
  is_shared?: boolean;
  position?: number;
}

export function useSavedViews(list: string) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const key = viewsQueryKey(list);
  const refresh = () => queryClient.invalidateQueries({ queryKey: key });

  const views = useQuery({
    queryKey: key,
    queryFn: async () => (await unwrap(api.GET("/api/views", { params: { query: { list } } }))).items,
    staleTime: 30_000,
  });

  const create = useMutation({
    mutationFn: (body: { name: string; params: ViewParams; is_shared: boolean }) =>
      unwrap(api.POST("/api/views", { body: { list_key: list, ...body } })),
    onSuccess: (view) => {
      toast.show(`Saved view “${view.name}”${view.is_shared ? ", shared with the team" : ""}`);
      void refresh();
    },
  });

  const update = useMutation({
    mutationFn: ({ view, changes }: { view: SavedView; changes: ViewChanges }) =>
      unwrap(api.PATCH("/api/views/{view_id}", { params: { path: { view_id: view.id }, header: ifMatch(view) }, body: changes })),
    onSettled: () => void refresh(),
  });

  const restore = useMutation({
    mutationFn: (view: SavedView) => unwrap(api.POST("/api/views/{view_id}/restore", { params: { path: { view_id: view.id } } })),
    onSuccess: (view) => toast.show(`Restored view “${view.name}”`),
    onError: (error, view) => toast.show(`Could not restore “${view.name}”: ${reason(error)}`, { tone: "error" }),
    onSettled: () => void refresh(),
  });

  const remove = useMutation({
    mutationFn: (view: SavedView) => unwrap(api.DELETE("/api/views/{view_id}", { params: { path: { view_id: view.id } } })),
    onSuccess: (deleted) => {
      toast.show(`Deleted view “${deleted.name}”`, { action: { label: "Undo", run: () => restore.mutate(deleted) }, ms: 10_000 });
    },
    onError: (error, view) => toast.show(`Could not delete “${view.name}”: ${reason(error)}`, { tone: "error" }),
    onSettled: () => void refresh(),
  });

  /** Several PATCHes (a reorder), then one refresh; a failure is toasted. */
  const updateMany = async (changes: { view: SavedView; changes: ViewChanges }[]) => {
    try {
      for (const change of changes) await update.mutateAsync(change);
    } catch (error) {
      toast.show(`Could not move the view: ${reason(error)}`, { tone: "error" });
    }
  };

  return { views, create, update, updateMany, remove, restore, reason };
}

// One move per list and user per page load, even when two menus of a list mount at once.
const moving = new Set<string>();

/**
 * Moves the views this browser kept for `list` (the app's versions before views lived on the
 * server) to crm-api once, then forgets them here, so nobody loses what they saved. A view whose
 * name the user already has on the server is not created twice; on a failure the local copy stays
 * for the next load.
 */
export function useMoveLocalViews(list: string, serverViews: readonly SavedView[] | undefined) {
  const user = useUser();
  const queryClient = useQueryClient();
  const toast = useToast();
  useEffect(() => {
    if (serverViews === undefined) return;
    const token = `${user.id}:${list}`;
    if (moving.has(token)) return;
    const storage = window.localStorage;
    const { keys, views } = readLegacy(storage, list, user.id);
    if (keys.length === 0) return;
    moving.add(token);
    const todo = viewsToMove(views, splitViews(serverViews, user.id).mine);
    void (async () => {
      let moved = 0;
      try {
        for (const view of todo) {
          const { response } = await api.POST("/api/views", { body: { list_key: list, name: view.name, params: view.params, is_shared: false } });
          // 409: the name is taken there already (another tab moved it first).
          if (!response.ok && response.status !== 409) throw new Error(`HTTP ${response.status}`);
          if (response.ok) moved += 1;
        }
        for (const key of keys) {
          try {
            storage.removeItem(key);
          } catch {
            // Blocked storage: the server has them now; the next load finds them there by name.
          }
        }
        if (moved > 0) toast.show(`Moved ${moved} saved ${moved === 1 ? "view" : "views"} from this browser to your account`);
      } catch {
        // Offline or refused: the local copy stays, and the next load tries again.
        moving.delete(token);
      } finally {
        void queryClient.invalidateQueries({ queryKey: viewsQueryKey(list) });
      }
    })();
  }, [list, serverViews, user.id, queryClient, toast]);
}
