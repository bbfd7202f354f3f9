import type { ColumnDef } from "@tanstack/react-table";
import { useMemo } from "react";
import { Link, useLocation } from "react-router";

import { api, unwrap } from "../../api/client";
import { formatDate, formatMoney } from "../../lib/format";
import { Badge } from "../../ui/Feedback";
import { lookupLabel, lookupOptions, useLookup } from "../data";
import { ACCREDITATION_STATUS, KYC_AML_STATUS, labelOf, OFFERING_EXEMPTION, options } from "../labels";
import type { FilterDef } from "../list/Filters";
import { PAGE_SIZE, RecordList } from "../list/RecordList";
import type { ListState } from "../list/listState";
import type { AccreditationStatus, KycAmlStatus, LpProfile, LpProfileSort, OfferingExemption } from "../types";
import { ContactLink, OrganizationLink } from "../ui/RecordName";
import { RowActions } from "../ui/RowActions";

const SORTS: readonly LpProfileSort[] = ["created_at", "-created_at", "updated_at", "-updated_at"];

function fetchPage(state: ListState, cursor: string | null) {
  const f = state.filters;
  return unwrap(
    api.GET("/api/lp-profiles", {
      params: {
        query: {
          q: state.q || undefined,
          investor_type: f.investor_type,
          accreditation_status: f.accreditation_status as AccreditationStatus | undefined,
          kyc_aml_status: f.kyc_aml_status as KycAmlStatus | undefined,
          offering_exemption: f.offering_exemption as OfferingExemption | undefined,
          accreditation_expires_before: f.accreditation_expires_before,
          deleted: state.deleted,
          sort: (state.sort ?? undefined) as LpProfileSort | undefined,
          cursor: cursor ?? undefined,
          limit: PAGE_SIZE,
        },
      },
    }),
  );
}

function accreditationTone(profile: LpProfile): "success" | "warning" | "danger" | "neutral" {
  if (profile.accreditation_current) return "success";
  if (profile.accreditation_status === "expired" || profile.accreditation_status === "not_accredited") return "danger";
  if (profile.accreditation_status === "pending") return "warning";
  return "neutral";
}

export function Investor({ profile }: { profile: Pick<LpProfile, "contact_id" | "organization_id"> }) {
  return profile.contact_id ? <ContactLink id={profile.contact_id} /> : <OrganizationLink id={profile.organization_id} />;
}

export default function LpProfilesList() {
  const investorTypes = useLookup("investor_type");
  const location = useLocation();
  const back = encodeURIComponent(location.pathname + location.search);

  const filters = useMemo<FilterDef[]>(
    () => [
      { key: "investor_type", label: "Investor type", kind: "select", options: lookupOptions(investorTypes.data) },
      { key: "accreditation_status", label: "Accreditation", kind: "select", options: options(ACCREDITATION_STATUS) },
      { key: "kyc_aml_status", label: "KYC/AML", kind: "select", options: options(KYC_AML_STATUS) },
      { key: "offering_exemption", label: "Offering", kind: "select", options: options(OFFERING_EXEMPTION) },
      { key: "accreditation_expires_before", label: "Accreditation expires before", kind: "date" },
    ],
    [investorTypes.data],
  );

  const columns = useMemo<ColumnDef<LpProfile>[]>(
    () => [
      {
        id: "investor",
        header: "Investor",
        cell: ({ row }) => (
          <span className="records-name">
            <Investor profile={row.original} />
            {row.original.deleted_at && <Badge tone="danger">deleted</Badge>}
          </span>
        ),
      },
      { id: "investor_type", header: "Investor type", cell: ({ row }) => lookupLabel(investorTypes.data, row.original.investor_type) },
      {
        id: "accreditation",
        header: "Accreditation",
        cell: ({ row }) => <Badge tone={accreditationTone(row.original)}>{labelOf(ACCREDITATION_STATUS, row.original.accreditation_status)}</Badge>,
      },
      { id: "expires", header: "Expires", cell: ({ row }) => formatDate(row.original.accreditation_expires_on) },
      { id: "kyc", header: "KYC/AML", cell: ({ row }) => labelOf(KYC_AML_STATUS, row.original.kyc_aml_status) },
      {
        id: "committed",
        header: "Committed",
        meta: { numeric: true },
        cell: ({ row }) => row.original.totals.map((t) => formatMoney(t.committed, t.currency)).join(" · ") || "—",
      },
      { id: "updated", header: "Updated", meta: { sortKey: "updated_at" }, cell: ({ row }) => formatDate(row.original.updated_at) },
      {
        id: "actions",
        header: () => <span className="visually-hidden">Actions</span>,
        cell: ({ row }) => (
          <RowActions
            kind="lp-profiles"
            id={row.original.id}
            label="this LP profile"
            deleted={Boolean(row.original.deleted_at)}
            editTo={`/lp-profiles/${row.original.id}/edit?return=${back}`}
          />
        ),
      },
    ],
    [investorTypes.data, back],
  );

  return (
    <RecordList
      kind="lp-profiles"
      title="LP profiles"
      noun={{ one: "LP profile", many: "LP profiles" }}
      filters={filters}
      sorts={SORTS}
      defaultSort="-updated_at"
      columns={columns}
      fetchPage={fetchPage}
      getRowId={(row) => row.id}
      isDeleted={(row) => Boolean(row.deleted_at)}
      searchPlaceholder="Investor name…"
      emptyHint={
        <p>
          An LP profile holds an investor's accreditation, KYC/AML and K-1s: <Link to={`/lp-profiles/new?return=${back}`}>create one</Link>.
        </p>
      }
      actions={
        <Link className="btn btn--primary" to={`/lp-profiles/new?return=${back}`}>
          New LP profile
        </Link>
      }
    />
  );
}
