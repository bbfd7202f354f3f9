/**
 * The save of a record form: POST when new, PATCH of what changed with If-Match when editing;
 * a failed save leaves every input as typed and says what to fix (or how to resolve a stale
 * version).
 */
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";

import { toFormProblem, type FormProblem } from "../problems";

interface Options<Body, Saved> {
  /** The version the form was opened on; undefined for a new record. */
  version: number | undefined;
  create: (body: Body) => Promise<Saved>;
  update: (patch: Partial<Body>, version: number) => Promise<Saved>;
  /** Moves the server's row numbers back onto the rows on screen. */
  remap?: (fields: Record<string, string>) => Record<string, string>;
  onSaved: (saved: Saved) => void;
}

export function useSave<Body, Saved>({ version, create, update, remap, onSaved }: Options<Body, Saved>) {
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const mutation = useMutation({
    mutationFn: (input: { body: Body; patch: Partial<Body>; version: number | undefined }) =>
      input.version === undefined ? create(input.body) : update(input.patch, input.version),
    onMutate: () => setProblem(null),
    onSuccess: onSaved,
    onError: (error) => {
      const next = toFormProblem(error);
      setProblem(remap ? { ...next, fields: remap(next.fields) } : next);
    },
  });
  return {
    problem,
    errors: problem?.fields ?? {},
    saving: mutation.isPending,
    save: (body: Body, patch: Partial<Body>) => mutation.mutate({ body, patch, version }),
    /** After a 409: the same changes, on the version the server now holds. */
    applyOnLatest: (body: Body, patch: Partial<Body>) => {
      if (problem?.conflict) mutation.mutate({ body, patch, version: problem.conflict.currentVersion });
    },
  };
}
