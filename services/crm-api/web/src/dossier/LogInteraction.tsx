import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";

import { api, unwrap } from "../api/client";
import { ApiError } from "../api/problem";
import { useUser } from "../auth/session";
import { useToast } from "../ui/toast";
import { LogForm, type Option } from "./LogForm";
import { emptyDraft, toCreateBody, type Attendee, type LogDraft } from "./logDraft";
import { useLookups, useUsers, type Communication, type Subject } from "./queries";

const DEFAULT_TYPES: Option[] = [
  { value: "meeting", label: "Meeting" },
  { value: "call", label: "Call" },
  { value: "email", label: "Email" },
  { value: "note", label: "Note" },
];

function newKey(): string {
  return typeof crypto !== "undefined" && "randomUUID" in crypto ? crypto.randomUUID() : `log-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/** The log form wired to POST /api/communications: toast, refreshed timeline, errors on fields. */
export function LogInteraction({
  subject,
  opportunities,
  suggestions,
  onLogged,
}: {
  subject: Subject;
  opportunities: readonly Option[];
  suggestions: readonly Attendee[];
  onLogged: (communication: Communication) => void;
}) {
  const user = useUser();
  const users = useUsers();
  const lookups = useLookups();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<LogDraft>(() => emptyDraft(new Date(), user.id));
  const [defaultWhen, setDefaultWhen] = useState(draft.occurredAt);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  // One key per draft: a double submission (two keystrokes, a retry) is written once.
  const [idempotencyKey, setIdempotencyKey] = useState(newKey);

  const types = useMemo(() => {
    const values = lookups.values("communication_type");
    return values.length > 0 ? values.map((item) => ({ value: item.value, label: item.label })) : DEFAULT_TYPES;
  }, [lookups]);
  const owners = useMemo(
    () => (users.data ?? []).filter((u) => u.is_active).map((u) => ({ value: u.id, label: u.id === user.id ? `${u.display_name} (me)` : u.display_name })),
    [users.data, user.id],
  );

  const log = useMutation({
    mutationFn: (body: ReturnType<typeof toCreateBody>) =>
      unwrap(api.POST("/api/communications", { body, headers: { "Idempotency-Key": idempotencyKey } })),
    onSuccess: (created) => {
      onLogged(created);
      const label = types.find((t) => t.value === created.type)?.label ?? "Interaction";
      toast.show(created.subject ? `${label} logged: ${created.subject}` : `${label} logged`);
      const next = emptyDraft(new Date(), user.id, draft.type);
      setDraft(next);
      setDefaultWhen(next.occurredAt);
      setErrors({});
      setFormError(null);
      setIdempotencyKey(newKey());
      for (const key of ["communications", "contacts", "organizations", "follow-ups", "interactions"]) {
        void queryClient.invalidateQueries({ queryKey: [key] });
      }
    },
    onError: (error) => {
      if (error instanceof ApiError) {
        const fields = error.fieldErrors();
        setErrors(fields);
        setFormError(Object.keys(fields).length > 0 ? "Check the marked fields." : error.message);
      } else {
        setFormError("Could not reach the server; your text is kept, try again.");
      }
    },
  });

  return (
    <LogForm
      draft={draft}
      onChange={setDraft}
      onSubmit={() => {
        // An untouched "When" means now: the input holds whole minutes, and time has passed.
        const when = draft.occurredAt === defaultWhen ? new Date().toISOString() : draft.occurredAt;
        log.mutate(toCreateBody({ ...draft, occurredAt: when }, subject));
      }}
      types={types}
      opportunities={opportunities}
      owners={owners.length > 0 ? owners : [{ value: user.id, label: `${user.display_name} (me)` }]}
      suggestions={suggestions}
      errors={errors}
      formError={formError}
      pending={log.isPending}
    />
  );
}
