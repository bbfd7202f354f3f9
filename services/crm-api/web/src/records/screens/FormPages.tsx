/** The routes of the create and edit forms (/contacts/new, /contacts/:id/edit, ...). */
import "../records.css";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";

import { api, unwrap } from "../../api/client";
import { ApiError } from "../../api/problem";
import { EmptyState, PageHeader, SkeletonRows } from "../../ui/Feedback";
import { useToast } from "../../ui/toast";
import { useContactName, useOrganizationName } from "../../api/names";
import { ContactForm } from "../forms/ContactForm";
import { LpProfileForm } from "../forms/LpProfileForm";
import { OrganizationForm } from "../forms/OrganizationForm";
import { returnTo } from "../returnTo";

function FormPage({ title, subtitle, children }: { title: string; subtitle?: ReactNode; children: ReactNode }) {
  return (
    <div className="page records-form-page">
      <PageHeader title={title} subtitle={subtitle} />
      <div className="card">{children}</div>
    </div>
  );
}

function Missing({ what, error, back }: { what: string; error: unknown; back: string }) {
  const gone = error instanceof ApiError && error.status === 404;
  return (
    <div className="page">
      <EmptyState title={gone ? `No such ${what}` : `Could not load the ${what}`}>
        <p>{gone ? `It may have been deleted: look in the recycle bin.` : "Try again in a moment."}</p>
        <Link to={gone ? "/bin" : back}>{gone ? "Open the recycle bin" : "Back"}</Link>
      </EmptyState>
    </div>
  );
}

function useFormNavigation(fallback: string) {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const back = returnTo(params, fallback);
  return { back, leave: () => void navigate(back) };
}

export function OrganizationNewPage() {
  const { leave } = useFormNavigation("/organizations");
  const toast = useToast();
  const queryClient = useQueryClient();
  return (
    <FormPage title="New organization">
      <OrganizationForm
        onCancel={leave}
        onSaved={(org) => {
          toast.show(`Created ${org.name}`);
          void queryClient.invalidateQueries({ queryKey: ["organizations"] });
          leave();
        }}
      />
    </FormPage>
  );
}

export function OrganizationEditPage() {
  const { id = "" } = useParams();
  const { back, leave } = useFormNavigation("/organizations");
  const toast = useToast();
  const queryClient = useQueryClient();
  const record = useQuery({
    // Its own key: a list refresh must not reopen the form on someone else's version.
    queryKey: ["edit", "organizations", id],
    queryFn: () => unwrap(api.GET("/api/organizations/{record_id}", { params: { path: { record_id: id } } })),
    staleTime: Infinity,
    refetchOnMount: "always",
    refetchOnWindowFocus: false,
  });
  if (record.isPending) return <FormPage title="Edit organization"><SkeletonRows rows={8} /></FormPage>;
  if (record.isError) return <Missing what="organization" error={record.error} back={back} />;
  const org = record.data.organization;
  return (
    <FormPage title={`Edit ${org.name}`} subtitle={`Version ${org.version}`}>
      <OrganizationForm
        key={org.version}
        organization={org}
        onCancel={leave}
        onReload={() => void record.refetch()}
        onSaved={(saved) => {
          toast.show(`Saved ${saved.name}`);
          void queryClient.invalidateQueries({ queryKey: ["organizations"] });
          leave();
        }}
      />
    </FormPage>
  );
}

export function ContactNewPage() {
  const { leave } = useFormNavigation("/contacts");
  const [params] = useSearchParams();
  const organizationId = params.get("organization_id");
  const organization = useOrganizationName(organizationId);
  const toast = useToast();
  const queryClient = useQueryClient();
  if (organizationId && organization.isPending) return <FormPage title="New contact"><SkeletonRows rows={8} /></FormPage>;
  return (
    <FormPage title="New contact">
      <ContactForm
        initialOrganization={organizationId && organization.data ? { id: organizationId, label: organization.data } : undefined}
        onCancel={leave}
        onSaved={(contact) => {
          toast.show(`Created ${contact.first_name} ${contact.last_name}`);
          void queryClient.invalidateQueries({ queryKey: ["contacts"] });
          leave();
        }}
      />
    </FormPage>
  );
}

export function ContactEditPage() {
  const { id = "" } = useParams();
  const { back, leave } = useFormNavigation("/contacts");
  const toast = useToast();
  const queryClient = useQueryClient();
  const record = useQuery({
    // Its own key: a list refresh must not reopen the form on someone else's version.
    queryKey: ["edit", "contacts", id],
    queryFn: () => unwrap(api.GET("/api/contacts/{record_id}", { params: { path: { record_id: id } } })),
    staleTime: Infinity,
    refetchOnMount: "always",
    refetchOnWindowFocus: false,
  });
  if (record.isPending) return <FormPage title="Edit contact"><SkeletonRows rows={8} /></FormPage>;
  if (record.isError) return <Missing what="contact" error={record.error} back={back} />;
  const { contact, organizations } = record.data;
  return (
    <FormPage title={`Edit ${contact.first_name} ${contact.last_name}`} subtitle={`Version ${contact.version}`}>
      <ContactForm
        key={contact.version}
        contact={contact}
        organizations={organizations}
        onCancel={leave}
        onReload={() => void record.refetch()}
        onSaved={(saved) => {
          toast.show(`Saved ${saved.first_name} ${saved.last_name}`);
          void queryClient.invalidateQueries({ queryKey: ["contacts"] });
          leave();
        }}
      />
    </FormPage>
  );
}

export function LpProfileNewPage() {
  const { leave } = useFormNavigation("/lp-profiles");
  const [params] = useSearchParams();
  const contactId = params.get("contact_id");
  const organizationId = params.get("organization_id");
  const contactName = useContactName(contactId);
  const organizationName = useOrganizationName(organizationId);
  const toast = useToast();
  const queryClient = useQueryClient();
  const initial = contactId && contactName.data
    ? { kind: "contact" as const, choice: { id: contactId, label: contactName.data } }
    : organizationId && organizationName.data
      ? { kind: "organization" as const, choice: { id: organizationId, label: organizationName.data } }
      : undefined;
  if ((contactId && contactName.isPending) || (organizationId && organizationName.isPending)) return <FormPage title="New LP profile"><SkeletonRows rows={8} /></FormPage>;
  return (
    <FormPage title="New LP profile">
      <LpProfileForm
        initialInvestor={initial}
        onCancel={leave}
        onSaved={() => {
          toast.show("LP profile created");
          void queryClient.invalidateQueries({ queryKey: ["lp-profiles"] });
          leave();
        }}
      />
    </FormPage>
  );
}

export function LpProfileEditPage() {
  const { id = "" } = useParams();
  const { back, leave } = useFormNavigation("/lp-profiles");
  const toast = useToast();
  const queryClient = useQueryClient();
  const record = useQuery({
    // Its own key: a list refresh must not reopen the form on someone else's version.
    queryKey: ["edit", "lp-profiles", id],
    queryFn: () => unwrap(api.GET("/api/lp-profiles/{record_id}", { params: { path: { record_id: id } } })),
    staleTime: Infinity,
    refetchOnMount: "always",
    refetchOnWindowFocus: false,
  });
  const contactName = useContactName(record.data?.contact_id);
  const organizationName = useOrganizationName(record.data?.organization_id);
  if (record.isPending) return <FormPage title="Edit LP profile"><SkeletonRows rows={8} /></FormPage>;
  if (record.isError) return <Missing what="LP profile" error={record.error} back={back} />;
  const profile = record.data;
  const name = contactName.data ?? organizationName.data;
  return (
    <FormPage title={name ? `LP profile of ${name}` : "Edit LP profile"} subtitle={`Version ${profile.version}`}>
      <LpProfileForm
        key={`${profile.version}-${name ?? ""}`}
        profile={profile}
        investorName={name}
        onCancel={leave}
        onReload={() => void record.refetch()}
        onSaved={() => {
          toast.show("LP profile saved");
          void queryClient.invalidateQueries({ queryKey: ["lp-profiles"] });
          leave();
        }}
      />
    </FormPage>
  );
}
