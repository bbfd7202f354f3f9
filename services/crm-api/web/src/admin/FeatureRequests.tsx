/** Feature requests: what the team asks of the CRM, with status and priority set in place. */
import "./ui/admin.css";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { api, unwrap } from "../api/client";
import { ApiError } from "../api/problem";
import type { components } from "../api/schema";
import { useUsers } from "../api/users";
import { formatDate, formatRelative } from "../lib/format";
import { Button } from "../ui/Button";
import { Dialog } from "../ui/Dialog";
import { EmptyState, PageHeader, SkeletonRows } from "../ui/Feedback";
import { SelectField, TextArea, TextField } from "../ui/Field";
import { useToast } from "../ui/toast";
import { useCursorPages, useListParams } from "./ui/listState";
import { Pager } from "./ui/Pager";
import { SavedViews } from "../views/SavedViews";
import { SearchField } from "./ui/SearchField";
import { ErrorState, problemText, RequireAdmin } from "./ui/States";

type Request = components["schemas"]["FeatureRequestRead"];
type Status = components["schemas"]["Status"];
type Priority = components["schemas"]["Priority"];

const STATUSES: { value: Status; label: string }[] = [
  { value: "open", label: "Open" },
  { value: "planned", label: "Planned" },
  { value: "in_progress", label: "In progress" },
  { value: "done", label: "Done" },
  { value: "declined", label: "Declined" },
];
const PRIORITIES: { value: Priority; label: string }[] = [
  { value: "high", label: "High" },
  { value: "medium", label: "Medium" },
  { value: "low", label: "Low" },
];
const SORTS = [
  { value: "-created_at", label: "Newest" },
  { value: "created_at", label: "Oldest" },
  { value: "-updated_at", label: "Recently changed" },
] as const;
type Sort = (typeof SORTS)[number]["value"];

function RequestEditor({ request, onClose }: { request: Request | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [form, setForm] = useState({
    title: request?.title ?? "",
    description: request?.description ?? "",
    priority: request?.priority ?? "medium",
    status: request?.status ?? "open",
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: () =>
      request
        ? unwrap(
            api.PATCH("/api/feature-requests/{record_id}", {
              params: { path: { record_id: request.id }, header: { "If-Match": `"${request.version}"` } },
              body: form,
            }),
          )
        : unwrap(api.POST("/api/feature-requests", { body: form })),
    onSuccess: (saved) => {
      toast.show(request ? `Saved “${saved.title}”` : `Filed “${saved.title}”`);
      void queryClient.invalidateQueries({ queryKey: ["feature-requests"] });
      onClose();
    },
    onError: (error) => {
      const fields = error instanceof ApiError ? error.fieldErrors() : {};
      setErrors(fields);
      setFormError(Object.keys(fields).length ? null : problemText(error));
    },
  });
  const bind = <K extends keyof typeof form>(name: K) => ({
    value: form[name],
    onChange: (event: { target: { value: string } }) => setForm((f) => ({ ...f, [name]: event.target.value })),
    error: errors[name],
  });
  return (
    <Dialog open title={request ? "Edit request" : "New feature request"} onClose={onClose}>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate();
        }}
      >
        <TextField label="Title" required maxLength={200} {...bind("title")} />
        <TextArea label="Description" rows={5} maxLength={20000} {...bind("description")} hint="What should it do, and for whom?" />
        <div className="form__row">
          <SelectField label="Priority" options={PRIORITIES} {...bind("priority")} />
          <SelectField label="Status" options={STATUSES} {...bind("status")} />
        </div>
        {formError && (
          <div className="form__error" role="alert">
            {formError}
          </div>
        )}
        <div className="form__actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={save.isPending}>
            {request ? "Save" : "File request"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function InlineSelect({
  request,
  field,
  options,
}: {
  request: Request;
  field: "status" | "priority";
  options: { value: string; label: string }[];
}) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const update = useMutation({
    mutationFn: (value: string) =>
      unwrap(
        api.PATCH("/api/feature-requests/{record_id}", {
          params: { path: { record_id: request.id }, header: { "If-Match": `"${request.version}"` } },
          body: field === "status" ? { status: value as Status } : { priority: value as Priority },
        }),
      ),
    onSuccess: (saved) => {
      toast.show(`“${saved.title}”: ${field} is ${field === "status" ? saved.status.replace("_", " ") : saved.priority}`);
      void queryClient.invalidateQueries({ queryKey: ["feature-requests"] });
    },
    onError: (error) => {
      toast.show(problemText(error), { tone: "error" });
      void queryClient.invalidateQueries({ queryKey: ["feature-requests"] });
    },
  });
  const id = `${field}-${request.id}`;
  return (
    <>
      <label className="visually-hidden" htmlFor={id}>
        {field === "status" ? "Status" : "Priority"} of {request.title}
      </label>
      <select
        id={id}
        className="select"
        style={{ width: "auto" }}
        value={request[field]}
        disabled={update.isPending}
        onChange={(event) => update.mutate(event.target.value)}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </>
  );
}

function FeatureRequestsScreen() {
  const { values, set, replaceAll } = useListParams({ q: "", status: "", priority: "", sort: "-created_at" });
  const sort: Sort = SORTS.find((s) => s.value === values.sort)?.value ?? "-created_at";
  const pages = useCursorPages<string>(JSON.stringify(values));
  const [editing, setEditing] = useState<Request | "new" | null>(null);
  const users = useUsers();
  const names = new Map((users.data ?? []).map((u) => [u.id, u.display_name]));
  const query = useQuery({
    queryKey: ["feature-requests", values, pages.cursor],
    queryFn: () =>
      unwrap(
        api.GET("/api/feature-requests", {
          params: {
            query: {
              q: values.q || null,
              status: (values.status || null) as Status | null,
              priority: (values.priority || null) as Priority | null,
              sort,
              cursor: pages.cursor,
              limit: 25,
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });
  const items = query.data?.items ?? [];
  return (
    <div className="page ops-page">
      <PageHeader
        title="Feature requests"
        subtitle="What the team asks of the CRM. Set status and priority in place."
        actions={
          <Button variant="primary" onClick={() => setEditing("new")}>
            New request
          </Button>
        }
      />
      <div className="filters" role="search" aria-label="Filter requests">
        <SearchField label="Search" value={values.q} onChange={(q) => set({ q })} placeholder="Title or description" />
        <SelectField label="Status" value={values.status} options={[{ value: "", label: "Any" }, ...STATUSES]} onChange={(e) => set({ status: e.target.value })} />
        <SelectField
          label="Priority"
          value={values.priority}
          options={[{ value: "", label: "Any" }, ...PRIORITIES]}
          onChange={(e) => set({ priority: e.target.value })}
        />
        <SelectField label="Sort" value={sort} options={SORTS} onChange={(e) => set({ sort: e.target.value })} />
        <SavedViews list="feature-requests" params={values} onApply={replaceAll} />
      </div>
      {query.isPending ? (
        <SkeletonRows rows={6} />
      ) : query.isError ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="No requests match">
          <p>File what the CRM should do next with New request, or clear the filters.</p>
        </EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Feature requests</caption>
              <thead>
                <tr>
                  <th scope="col">Request</th>
                  <th scope="col">Asked by</th>
                  <th scope="col">Filed</th>
                  <th scope="col">Priority</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((request) => (
                  <tr key={request.id}>
                    <th scope="row" className="wrap">
                      {request.title}
                      {request.description && <div className="muted" style={{ fontWeight: 400 }}>{request.description.slice(0, 140)}{request.description.length > 140 ? "…" : ""}</div>}
                    </th>
                    <td>{names.get(request.requested_by) ?? "—"}</td>
                    <td title={formatDate(request.created_at)}>{formatRelative(request.created_at)}</td>
                    <td>
                      <InlineSelect key={`${request.id}-${request.version}-p`} request={request} field="priority" options={PRIORITIES} />
                    </td>
                    <td>
                      <InlineSelect key={`${request.id}-${request.version}-s`} request={request} field="status" options={STATUSES} />
                    </td>
                    <td className="actions">
                      <Button small variant="ghost" onClick={() => setEditing(request)} aria-label={`Edit ${request.title}`}>
                        Edit
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager
            page={pages.page}
            hasPrev={pages.hasPrev}
            nextCursor={query.data.next_cursor}
            total={query.data.total}
            shown={items.length}
            onPrev={pages.prev}
            onNext={pages.next}
          />
        </>
      )}
      {editing && <RequestEditor request={editing === "new" ? null : editing} onClose={() => setEditing(null)} />}
    </div>
  );
}

export default function FeatureRequests() {
  return (
    <RequireAdmin what="Feature requests">
      <FeatureRequestsScreen />
    </RequireAdmin>
  );
}
