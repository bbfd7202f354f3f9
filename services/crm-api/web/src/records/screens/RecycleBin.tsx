/** The recycle bin: deleted organizations, contacts and LP profiles, each with Restore. */
import "../records.css";

import { useInfiniteQuery } from "@tanstack/react-query";
import type { ColumnDef } from "@tanstack/react-table";
import { useId, useMemo, useState } from "react";

import { api, unwrap } from "../../api/client";
import { formatDateTime, formatNumber, formatRelative } from "../../lib/format";
import { Button } from "../../ui/Button";
import { EmptyState, PageHeader, SkeletonRows } from "../../ui/Feedback";
import { DataTable } from "../list/DataTable";
import { PAGE_SIZE } from "../list/RecordList";
import type { Contact, LpProfile, Organization, Page } from "../types";
import { RowActions } from "../ui/RowActions";
import { Investor } from "./LpProfilesList";

type Sort = "updated_at" | "-updated_at";

function When({ at }: { at: string | null }) {
  return <span title={formatDateTime(at)}>{formatRelative(at)}</span>;
}

function BinSection<T extends { id: string; deleted_at: string | null }>({
  title,
  noun,
  kind,
  fetchPage,
  columns,
}: {
  title: string;
  noun: string;
  kind: "organizations" | "contacts" | "lp-profiles";
  fetchPage: (cursor: string | null, sort: Sort) => Promise<Page<T>>;
  columns: ColumnDef<T>[];
}) {
  const headingId = useId();
  const [sort, setSort] = useState<Sort>("-updated_at");
  const list = useInfiniteQuery({
    queryKey: [kind, "bin", sort],
    queryFn: ({ pageParam }) => fetchPage(pageParam, sort),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  const total = list.data?.pages[0]?.total;
  return (
    <section className="card stack" aria-labelledby={headingId}>
      <div className="card__title">
        <h2 id={headingId}>{title}</h2>
        <span className="muted">{total === undefined ? "" : `${formatNumber(total)} deleted`}</span>
      </div>
      {list.isPending ? (
        <SkeletonRows rows={3} />
      ) : rows.length === 0 ? (
        <EmptyState title="Nothing here">Deleted {noun} land here; restore them any time.</EmptyState>
      ) : (
        <>
          <DataTable caption={`Deleted ${noun}`} data={rows} columns={columns} getRowId={(r) => r.id} sort={sort} defaultSort="-updated_at" onSort={() => setSort(sort === "updated_at" ? "-updated_at" : "updated_at")} />
          {list.hasNextPage && (
            <div>
              <Button onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
                Load more
              </Button>
            </div>
          )}
        </>
      )}
    </section>
  );
}

export default function RecycleBin() {
  const organizations = useMemo<ColumnDef<Organization>[]>(
    () => [
      { id: "name", header: "Name", cell: ({ row }) => row.original.name },
      { id: "deleted", header: "Deleted", meta: { sortKey: "updated_at" }, cell: ({ row }) => <When at={row.original.deleted_at} /> },
      {
        id: "actions",
        header: () => <span className="visually-hidden">Actions</span>,
        cell: ({ row }) => <RowActions kind="organizations" id={row.original.id} label={row.original.name} deleted editTo="" />,
      },
    ],
    [],
  );
  const contacts = useMemo<ColumnDef<Contact>[]>(
    () => [
      { id: "name", header: "Name", cell: ({ row }) => `${row.original.first_name} ${row.original.last_name}` },
      { id: "email", header: "Email", cell: ({ row }) => row.original.primary_email ?? "—" },
      { id: "deleted", header: "Deleted", meta: { sortKey: "updated_at" }, cell: ({ row }) => <When at={row.original.deleted_at} /> },
      {
        id: "actions",
        header: () => <span className="visually-hidden">Actions</span>,
        cell: ({ row }) => (
          <RowActions kind="contacts" id={row.original.id} label={`${row.original.first_name} ${row.original.last_name}`} deleted editTo="" />
        ),
      },
    ],
    [],
  );
  const profiles = useMemo<ColumnDef<LpProfile>[]>(
    () => [
      { id: "investor", header: "Investor", cell: ({ row }) => <Investor profile={row.original} /> },
      { id: "type", header: "Investor type", cell: ({ row }) => row.original.investor_type },
      { id: "deleted", header: "Deleted", meta: { sortKey: "updated_at" }, cell: ({ row }) => <When at={row.original.deleted_at} /> },
      {
        id: "actions",
        header: () => <span className="visually-hidden">Actions</span>,
        cell: ({ row }) => <RowActions kind="lp-profiles" id={row.original.id} label="the LP profile" deleted editTo="" />,
      },
    ],
    [],
  );
  return (
    <div className="page">
      <PageHeader title="Recycle bin" subtitle="Deleted records stay here until an admin purges them. Restore brings one back as it was." />
      <BinSection
        title="Organizations"
        noun="organizations"
        kind="organizations"
        columns={organizations}
        fetchPage={(cursor, sort) =>
          unwrap(api.GET("/api/organizations", { params: { query: { deleted: "only", sort, cursor: cursor ?? undefined, limit: PAGE_SIZE } } }))
        }
      />
      <BinSection
        title="Contacts"
        noun="contacts"
        kind="contacts"
        columns={contacts}
        fetchPage={(cursor, sort) => unwrap(api.GET("/api/contacts", { params: { query: { deleted: "only", sort, cursor: cursor ?? undefined, limit: PAGE_SIZE } } }))}
      />
      <BinSection
        title="LP profiles"
        noun="LP profiles"
        kind="lp-profiles"
        columns={profiles}
        fetchPage={(cursor, sort) =>
          unwrap(api.GET("/api/lp-profiles", { params: { query: { deleted: "only", sort, cursor: cursor ?? undefined, limit: PAGE_SIZE } } }))
        }
      />
    </div>
  );
}
