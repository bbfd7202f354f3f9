import type { ColumnDef } from "@tanstack/react-table";
import { useMemo } from "react";
import { Link, useLocation } from "react-router";

import { api, unwrap } from "../../api/client";
import { formatDate } from "../../lib/format";
import { Badge } from "../../ui/Feedback";
import { lookupLabel, lookupOptions, useLookup, useTags } from "../data";
import type { FilterDef } from "../list/Filters";
import { PAGE_SIZE, RecordList } from "../list/RecordList";
import type { ListState } from "../list/listState";
import type { Organization, OrganizationSort } from "../types";
import { RowActions } from "../ui/RowActions";
import { TagChips } from "../ui/TagChips";

const SORTS: readonly OrganizationSort[] = ["name", "-name", "created_at", "-created_at", "updated_at", "-updated_at"];

function fetchPage(state: ListState, cursor: string | null) {
  return unwrap(
    api.GET("/api/organizations", {
      params: {
        query: {
          q: state.q || undefined,
          type: state.filters.type,
          tag_id: state.filters.tag_id,
          domain: state.filters.domain,
          deleted: state.deleted,
          sort: (state.sort ?? undefined) as OrganizationSort | undefined,
          cursor: cursor ?? undefined,
          limit: PAGE_SIZE,
        },
      },
    }),
  );
}

export default function OrganizationsList() {
  const types = useLookup("organization_type");
  const tags = useTags();
  const location = useLocation();
  const back = encodeURIComponent(location.pathname + location.search);

  const filters = useMemo<FilterDef[]>(
    () => [
      { key: "type", label: "Type", kind: "select", options: lookupOptions(types.data) },
      { key: "tag_id", label: "Tag", kind: "select", options: (tags.data?.items ?? []).map((t) => ({ value: t.id, label: t.name })) },
      { key: "domain", label: "Domain", kind: "text" },
    ],
    [types.data, tags.data],
  );

  const columns = useMemo<ColumnDef<Organization>[]>(
    () => [
      {
        id: "name",
        header: "Name",
        meta: { sortKey: "name" },
        cell: ({ row }) => (
          <span className="records-name">
            <Link to={`/organizations/${row.original.id}`}>{row.original.name}</Link>
            {row.original.deleted_at && <Badge tone="danger">deleted</Badge>}
          </span>
        ),
      },
      { id: "type", header: "Type", cell: ({ row }) => lookupLabel(types.data, row.original.type) },
      {
        id: "domains",
        header: "Domains",
        cell: ({ row }) => (row.original.domains.length ? row.original.domains.join(", ") : <span className="muted">—</span>),
      },
      { id: "tags", header: "Tags", cell: ({ row }) => <TagChips tags={row.original.tags} /> },
      { id: "updated", header: "Updated", meta: { sortKey: "updated_at" }, cell: ({ row }) => formatDate(row.original.updated_at) },
      {
        id: "actions",
        header: () => <span className="visually-hidden">Actions</span>,
        cell: ({ row }) => (
          <RowActions
            kind="organizations"
            id={row.original.id}
            label={row.original.name}
            deleted={Boolean(row.original.deleted_at)}
            editTo={`/organizations/${row.original.id}/edit?return=${back}`}
          />
        ),
      },
    ],
    [types.data, back],
  );

  return (
    <RecordList
      kind="organizations"
      title="Organizations"
      noun={{ one: "organization", many: "organizations" }}
      filters={filters}
      sorts={SORTS}
      defaultSort="name"
      columns={columns}
      fetchPage={fetchPage}
      getRowId={(row) => row.id}
      isDeleted={(row) => Boolean(row.deleted_at)}
      searchPlaceholder="Name…"
      emptyHint={
        <p>
          Add the firms and family offices you talk to: <Link to={`/organizations/new?return=${back}`}>create an organization</Link>.
        </p>
      }
      actions={
        <Link className="btn btn--primary" to={`/organizations/new?return=${back}`}>
          New organization
        </Link>
      }
    />
  );
}
