import type { ColumnDef } from "@tanstack/react-table";
import { useMemo } from "react";
import { Link, useLocation } from "react-router";

import { api, unwrap } from "../../api/client";
import { contactName } from "../../api/names";
import { formatDate } from "../../lib/format";
import { Badge } from "../../ui/Feedback";
import { lookupLabel, lookupOptions, useLookup, useTags, useUsers } from "../data";
import type { FilterDef } from "../list/Filters";
import { PAGE_SIZE, RecordList } from "../list/RecordList";
import type { ListState } from "../list/listState";
import type { Contact, ContactSort } from "../types";
import { OrganizationLink } from "../ui/RecordName";
import { RowActions } from "../ui/RowActions";
import { TagChips } from "../ui/TagChips";

const SORTS: readonly ContactSort[] = ["last_name", "-last_name", "first_name", "-first_name", "created_at", "-created_at", "updated_at", "-updated_at"];

function fetchPage(state: ListState, cursor: string | null) {
  const f = state.filters;
  return unwrap(
    api.GET("/api/contacts", {
      params: {
        query: {
          q: state.q || undefined,
          contact_type: f.contact_type,
          status: f.status,
          owner_id: f.owner_id,
          organization_id: f.organization_id,
          country: f.country,
          tag_id: f.tag_id,
          deleted: state.deleted,
          sort: (state.sort ?? undefined) as ContactSort | undefined,
          cursor: cursor ?? undefined,
          limit: PAGE_SIZE,
        },
      },
    }),
  );
}

export default function ContactsList() {
  const types = useLookup("contact_type");
  const statuses = useLookup("contact_status");
  const users = useUsers();
  const tags = useTags();
  const location = useLocation();
  const back = encodeURIComponent(location.pathname + location.search);

  const filters = useMemo<FilterDef[]>(
    () => [
      { key: "contact_type", label: "Type", kind: "select", options: lookupOptions(types.data) },
      { key: "status", label: "Status", kind: "select", options: lookupOptions(statuses.data) },
      { key: "owner_id", label: "Owner", kind: "select", options: (users.data ?? []).map((u) => ({ value: u.id, label: u.display_name })) },
      { key: "organization_id", label: "Organization", kind: "organization" },
      { key: "country", label: "Country", kind: "text" },
      { key: "tag_id", label: "Tag", kind: "select", options: (tags.data?.items ?? []).map((t) => ({ value: t.id, label: t.name })) },
    ],
    [types.data, statuses.data, users.data, tags.data],
  );

  const columns = useMemo<ColumnDef<Contact>[]>(() => {
    const owners = new Map((users.data ?? []).map((u) => [u.id, u.display_name]));
    return [
      {
        id: "name",
        header: "Name",
        meta: { sortKey: "last_name" },
        cell: ({ row }) => (
          <span className="records-name">
            <Link to={`/contacts/${row.original.id}`}>{contactName(row.original)}</Link>
            {row.original.status !== "active" && <Badge tone="warning">{lookupLabel(statuses.data, row.original.status)}</Badge>}
            {row.original.deleted_at && <Badge tone="danger">deleted</Badge>}
          </span>
        ),
      },
      { id: "organization", header: "Organization", cell: ({ row }) => <OrganizationLink id={row.original.primary_organization_id} /> },
      { id: "email", header: "Email", cell: ({ row }) => row.original.primary_email ?? <span className="muted">—</span> },
      { id: "type", header: "Type", cell: ({ row }) => lookupLabel(types.data, row.original.contact_type) },
      { id: "owner", header: "Owner", cell: ({ row }) => (row.original.owner_id ? (owners.get(row.original.owner_id) ?? "—") : <span className="muted">—</span>) },
      { id: "tags", header: "Tags", cell: ({ row }) => <TagChips tags={row.original.tags} /> },
      { id: "updated", header: "Updated", meta: { sortKey: "updated_at" }, cell: ({ row }) => formatDate(row.original.updated_at) },
      {
        id: "actions",
        header: () => <span className="visually-hidden">Actions</span>,
        cell: ({ row }) => (
          <RowActions
            kind="contacts"
            id={row.original.id}
            label={contactName(row.original)}
            deleted={Boolean(row.original.deleted_at)}
            editTo={`/contacts/${row.original.id}/edit?return=${back}`}
          />
        ),
      },
    ];
  }, [types.data, statuses.data, users.data, back]);

  return (
    <RecordList
      kind="contacts"
      title="Contacts"
      noun={{ one: "contact", many: "contacts" }}
      filters={filters}
      sorts={SORTS}
      defaultSort="last_name"
      columns={columns}
      fetchPage={fetchPage}
      getRowId={(row) => row.id}
      isDeleted={(row) => Boolean(row.deleted_at)}
      searchPlaceholder="Name, email or organization…"
      emptyHint={
        <p>
          <Link to={`/contacts/new?return=${back}`}>Add a contact</Link> or <Link to="/contacts/import">import a CSV</Link> of the people you know.
        </p>
      }
      actions={
        <>
          <Link className="btn" to="/contacts/import">
            Import
          </Link>
          <Link className="btn btn--primary" to={`/contacts/new?return=${back}`}>
            New contact
          </Link>
        </>
      }
    />
  );
}
