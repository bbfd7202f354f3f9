import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type SyntheticEvent } from "react";

import { api, unwrap } from "../api/client";
import { ApiError } from "../api/problem";
import { useUser } from "../auth/session";
import { formatDate, formatRelative } from "../lib/format";
import { Button } from "../ui/Button";
import { Badge } from "../ui/Feedback";
import { SelectField, TextField } from "../ui/Field";
import { useToast } from "../ui/toast";
import { useUsers, type FollowUp, type Subject } from "./queries";

function refresh(queryClient: ReturnType<typeof useQueryClient>) {
  for (const key of ["follow-ups", "contacts", "organizations", "reports"]) void queryClient.invalidateQueries({ queryKey: [key] });
}

/** Completing a follow-up in one click, with Undo in the toast (reopens it at its new version). */
export function useCompleteFollowUp() {
  const queryClient = useQueryClient();
  const toast = useToast();
  const reopen = useMutation({
    mutationFn: (done: { id: string; version: number }) =>
      unwrap(
        api.PATCH("/api/follow-ups/{record_id}", {
          params: { path: { record_id: done.id } },
          headers: { "If-Match": `"${done.version}"` },
          body: { status: "open" },
        }),
      ),
    onSuccess: () => {
      toast.show("Follow-up reopened");
      refresh(queryClient);
    },
    onError: (error) => toast.show(`Could not reopen: ${error.message}`, { tone: "error" }),
  });
  return useMutation({
    mutationFn: (item: FollowUp) =>
      unwrap(api.POST("/api/follow-ups/{record_id}/complete", { params: { path: { record_id: item.id } } })),
    onSuccess: (done) => {
      toast.show(`Done: ${done.title}`, { action: { label: "Undo", run: () => reopen.mutate({ id: done.id, version: done.version }) } });
      refresh(queryClient);
    },
    onError: (error) => toast.show(`Could not complete: ${error.message}`, { tone: "error" }),
  });
}

export function DueBadge({ item }: { item: FollowUp }) {
  if (item.status !== "open") return <Badge tone="success">{item.status}</Badge>;
  if (item.is_overdue) return <Badge tone="danger">overdue</Badge>;
  const today = new Date().toISOString().slice(0, 10);
  if (item.due_date === today) return <Badge tone="warning">due today</Badge>;
  return null;
}

/** One open follow-up with its Complete button. */
export function FollowUpLine({ item, ownerName, complete, pending }: { item: FollowUp; ownerName: string | null; complete: (item: FollowUp) => void; pending: boolean }) {
  return (
    <li className="list__item">
      <div>
        <div className="list__title">{item.title}</div>
        <div className="muted">
          due <time dateTime={item.due_date}>{formatDate(item.due_date)}</time> ({formatRelative(`${item.due_date}T23:59:59`)})
          {ownerName && <> · {ownerName}</>}
        </div>
      </div>
      <div className="row">
        <DueBadge item={item} />
        {item.status === "open" && (
          <Button small onClick={() => complete(item)} disabled={pending} aria-label={`Complete “${item.title}”`}>
            Complete
          </Button>
        )}
      </div>
    </li>
  );
}

/** Adding a follow-up on the dossier's record: title, due date, owner (me by default). */
export function AddFollowUp({ subject, onDone }: { subject: Subject; onDone: () => void }) {
  const user = useUser();
  const users = useUsers();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [title, setTitle] = useState("");
  const [due, setDue] = useState(() => new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10));
  const [owner, setOwner] = useState(user.id);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/follow-ups", {
          body: {
            title: title.trim(),
            notes: "",
            due_date: due,
            owner_id: owner || null,
            contact_id: subject.kind === "contact" ? subject.id : null,
            organization_id: subject.kind === "organization" ? subject.id : null,
          },
        }),
      ),
    onSuccess: (created) => {
      toast.show(`Follow-up added: ${created.title}`);
      refresh(queryClient);
      onDone();
    },
    onError: (error) => {
      if (error instanceof ApiError) {
        const fields = error.fieldErrors();
        setErrors(Object.keys(fields).length > 0 ? fields : { title: error.message });
      }
    },
  });
  const owners = (users.data ?? []).filter((u) => u.is_active).map((u) => ({ value: u.id, label: u.display_name }));
  return (
    <form
      className="form"
      aria-label="Add a follow-up"
      onSubmit={(event: SyntheticEvent) => {
        event.preventDefault();
        create.mutate();
      }}
    >
      <TextField label="What" required value={title} onChange={(e) => setTitle(e.target.value)} error={errors.title} maxLength={300} />
      <div className="form__row">
        <TextField label="Due" type="date" required value={due} onChange={(e) => setDue(e.target.value)} error={errors.due_date} />
        <SelectField label="Owner" options={owners.length > 0 ? owners : [{ value: user.id, label: user.display_name }]} value={owner} onChange={(e) => setOwner(e.target.value)} error={errors.owner_id} />
      </div>
      <div className="form__actions">
        <Button onClick={onDone}>Cancel</Button>
        <Button type="submit" variant="primary" disabled={create.isPending}>
          Add follow-up
        </Button>
      </div>
    </form>
  );
}
