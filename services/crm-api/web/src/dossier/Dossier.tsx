/**
 * The dossier of an LP: a contact, an organization, or a canonical entity of the resolver.
 * Header (money, accreditation, tags, owner), the log form, one virtualized timeline, and the
 * side cards (details, LP profile, follow-ups, who knows them, linked records).
 */
import "./dossier.css";

import { useCallback, useMemo, useState, type ReactNode } from "react";
import { Link, useParams, useSearchParams } from "react-router";

import { contactName, useRecordNames } from "../api/names";
import { ApiError } from "../api/problem";
import { formatDateTime } from "../lib/format";
import { Button } from "../ui/Button";
import { Badge, EmptyState, PageHeader, SkeletonRows } from "../ui/Feedback";
import { AccreditationBadge, Card, Facts, LpProfileDetails, MoneySummary, OpportunitiesTable, QpBadge } from "./cards";
import { AddFollowUp, FollowUpLine, useCompleteFollowUp } from "./followUps";
import { LogInteraction } from "./LogInteraction";
import type { Attendee } from "./logDraft";
import { moneyByFund } from "./money";
import {
  humanize,
  useContactDossier,
  useEmails,
  useFunds,
  useHistory,
  useInteractions,
  useLookups,
  useOrganizationDossier,
  useUsers,
  type Canonical,
  type Communication,
  type ContactDossier,
  type FollowUp,
  type LpProfile,
  type Opportunity,
  type OrganizationDossier,
  type Subject,
} from "./queries";
import { IntroPaths } from "./IntroPaths";
import { LinkedRecords, useEntity, WhoKnows } from "./resolver";
import { AGENT_KIND, buildTimeline, timelinePeople } from "./timeline";
import { Timeline } from "./Timeline";

type Tag = { id: string; name: string; color: string };

/** A writer that is neither a user, a contact nor an agent: a service ("crm-api" for imports). */
function systemLabel(id: string): string {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(id) ? "Unknown person" : `${id} (system)`;
}

function Tags({ tags }: { tags: readonly Tag[] }) {
  if (tags.length === 0) return null;
  return (
    <ul className="tags" aria-label="Tags">
      {tags.map((tag) => (
        <li key={tag.id} className="tag">
          <span className="tag__dot" style={{ background: tag.color }} aria-hidden="true" />
          {tag.name}
        </li>
      ))}
    </ul>
  );
}

function NotFoundOrError({ error, what, list }: { error: unknown; what: string; list: string }) {
  const missing = error instanceof ApiError && error.status === 404;
  return (
    <div className="page">
      <EmptyState title={missing ? `This ${what} does not exist or was deleted` : `Could not load this ${what}`}>
        <span>{missing ? "It may have been merged or removed." : error instanceof Error ? error.message : ""}</span>
        <Link to={list}>Back to the list</Link>
      </EmptyState>
    </div>
  );
}

interface BodyProps {
  subject: Subject;
  name: string;
  subtitle: ReactNode;
  editHref: string;
  tags: readonly Tag[];
  ownerId: string | null;
  details: readonly (readonly [string, ReactNode])[];
  opportunities: readonly Opportunity[];
  lpProfile: LpProfile | null;
  lpVia: string | null;
  followUps: readonly FollowUp[];
  latest: readonly Communication[];
  canonical: Canonical | null | undefined;
  /** Names of contacts the dossier already holds (the contact, an organization's people). */
  knownNames: ReadonlyMap<string, string>;
  suggestions: readonly Attendee[];
  investorLabel?: (opportunity: Opportunity) => string | null;
  banner?: ReactNode;
}

function DossierBody(props: BodyProps) {
  const { subject } = props;
  const users = useUsers();
  const funds = useFunds();
  const lookups = useLookups();
  const [params] = useSearchParams();
  const history = useHistory(subject);
  const interactions = useInteractions(subject);
  const emails = useEmails(subject);
  const [justLogged, setJustLogged] = useState<Communication[]>([]);
  const [adding, setAdding] = useState(false);
  const complete = useCompleteFollowUp();

  const items = useMemo(() => {
    const pages = history.data?.pages.flatMap((page) => page.items) ?? [];
    const mail = emails.data?.pages.flatMap((page) => page.items) ?? [];
    return buildTimeline([...justLogged, ...props.latest, ...pages], interactions.data?.items ?? [], mail);
  }, [justLogged, props.latest, history.data, interactions.data, emails.data]);

  const unknownAttendees = useMemo(
    () => timelinePeople(items).attendees.filter((id) => !props.knownNames.has(id)),
    [items, props.knownNames],
  );
  const fetchedNames = useRecordNames({ contacts: unknownAttendees });
  const agentNames = useMemo(() => {
    const names = new Map<string, string>();
    for (const row of interactions.data?.items ?? []) if (row.actor_name) names.set(row.actor_id, row.actor_name);
    return names;
  }, [interactions.data]);

  const personLabel = useCallback(
    (id: string) => users.byId.get(id)?.display_name ?? props.knownNames.get(id) ?? fetchedNames.get(id) ?? agentNames.get(id) ?? systemLabel(id),
    [users.byId, props.knownNames, fetchedNames, agentNames],
  );
  const kindLabel = useCallback(
    (kind: string) => (kind === AGENT_KIND ? "Agent" : lookups.label("communication_type", kind)),
    [lookups],
  );
  const stageLabel = useCallback((stage: string) => lookups.label("pipeline_stage", stage), [lookups]);
  const { totals } = useMemo(() => moneyByFund(props.opportunities, funds.name), [props.opportunities, funds.name]);
  const opportunityOptions = useMemo(
    () => props.opportunities.map((o) => ({ value: o.id, label: `${funds.name(o.fund_id)} · ${stageLabel(o.stage)}` })),
    [props.opportunities, funds, stageLabel],
  );
  const owner = props.ownerId ? users.byId.get(props.ownerId) : undefined;
  const entityId = props.canonical?.entity_id;
  const onLoadMore = useCallback(() => {
    if (history.hasNextPage) void history.fetchNextPage();
    if (emails.hasNextPage) void emails.fetchNextPage();
  }, [history, emails]);

  return (
    <div className="page dossier-page">
      {props.banner}
      <PageHeader
        title={props.name}
        subtitle={props.subtitle}
        actions={
          <>
            <a className="btn" href="#log-form-title">
              Log interaction
            </a>
            <Link className="btn" to={props.editHref}>
              Edit
            </Link>
          </>
        }
      />
      <div className="dossier-badges row">
        {props.canonical?.is_lp && <Badge tone="accent">LP</Badge>}
        {props.lpProfile && <AccreditationBadge profile={props.lpProfile} />}
        {props.lpProfile && <QpBadge profile={props.lpProfile} />}
        {subject.kind === "contact" && <span className="muted">Owner: {owner ? owner.display_name : props.ownerId ? "…" : "nobody yet"}</span>}
        <Tags tags={props.tags} />
      </div>
      <section className="card" aria-label="Money across funds">
        <MoneySummary totals={totals} />
      </section>

      <div className="dossier">
        <div className="dossier__main">
          <Card title="Log a call, meeting, note or email" id="log-form-title">
            <LogInteraction
              subject={subject}
              opportunities={opportunityOptions}
              suggestions={props.suggestions}
              onLogged={(communication) => setJustLogged((current) => [communication, ...current])}
            />
          </Card>
          <Card title="Timeline" id="timeline-title">
            <Timeline
              items={items}
              loading={history.isPending && props.latest.length === 0}
              hasMore={history.hasNextPage || emails.hasNextPage}
              loadingMore={history.isFetchingNextPage || emails.isFetchingNextPage}
              onLoadMore={onLoadMore}
              personLabel={personLabel}
              kindLabel={kindLabel}
              focusKey={params.get("item")}
            />
          </Card>
          <Card title="Opportunities" id="opps-title" actions={<Link to="/pipeline">Pipeline</Link>}>
            <OpportunitiesTable
              opportunities={props.opportunities}
              fundName={funds.name}
              stageLabel={stageLabel}
              investorLabel={props.investorLabel}
            />
          </Card>
        </div>
        <aside className="dossier__side" aria-label="About">
          <Card title="Details" id="details-title">
            <Facts rows={props.details} />
          </Card>
          <Card title="LP profile" id="lp-title">
            {props.lpProfile ? (
              <>
                {props.lpVia && <p className="muted small">Held by {props.lpVia}</p>}
                <LpProfileDetails profile={props.lpProfile} label={(list, value) => lookups.label(list, value)} />
              </>
            ) : (
              <EmptyState title="No LP profile">Add one when they commit: accreditation, documents and K-1s live there.</EmptyState>
            )}
          </Card>
          <Card
            title="Open follow-ups"
            id="followups-title"
            actions={
              !adding && (
                <Button small onClick={() => setAdding(true)}>
                  Add
                </Button>
              )
            }
          >
            {adding && <AddFollowUp subject={subject} onDone={() => setAdding(false)} />}
            {props.followUps.length === 0 ? (
              !adding && <EmptyState title="Nothing open">Add a follow-up, or tick “Create a follow-up” when you log.</EmptyState>
            ) : (
              <ul className="list">
                {props.followUps.map((item) => (
                  <FollowUpLine
                    key={item.id}
                    item={item}
                    ownerName={item.owner_id ? (users.byId.get(item.owner_id)?.display_name ?? null) : null}
                    complete={(f) => complete.mutate(f)}
                    pending={complete.isPending && complete.variables.id === item.id}
                  />
                ))}
              </ul>
            )}
          </Card>
          <Card title="Who knows them" id="who-title">
            <WhoKnows entityId={entityId} />
          </Card>
          <Card title="Intro paths" id="paths-title">
            <IntroPaths entityId={entityId} />
          </Card>
          <Card title="Linked records" id="linked-title" actions={entityId && <Link to={`/entities/${encodeURIComponent(entityId)}`}>Entity</Link>}>
            <LinkedRecords entityId={entityId} currentSource={{ kind: subject.kind, id: subject.id }} />
          </Card>
        </aside>
      </div>
    </div>
  );
}

function contactBody(dossier: ContactDossier, banner?: ReactNode): BodyProps {
  const { contact } = dossier;
  const orgs = new Map(dossier.organizations.map((o) => [o.id, o]));
  const primary = dossier.organizations[0];
  const knownNames = new Map([[contact.id, contactName(contact)]]);
  const place = [contact.city, contact.region, contact.country].filter(Boolean).join(", ");
  const profileOrg = dossier.lp_profile?.organization_id ? orgs.get(dossier.lp_profile.organization_id) : undefined;
  return {
    subject: { kind: "contact", id: contact.id },
    name: contactName(contact),
    subtitle: (
      <>
        {[contact.title, primary?.name].filter(Boolean).join(" at ") || humanize(contact.contact_type)}
        <span className="muted"> · {humanize(contact.contact_type)} · {humanize(contact.status)}</span>
      </>
    ),
    editHref: `/contacts/${encodeURIComponent(contact.id)}/edit`,
    tags: contact.tags,
    ownerId: contact.owner_id,
    details: [
      [
        "Email",
        contact.emails.length > 0 ? (
          <ul className="plain">
            {contact.emails.map((email) => (
              <li key={email.email}>
                <a href={`mailto:${email.email}`}>{email.email}</a>
                {email.is_primary && contact.emails.length > 1 && <span className="muted"> (primary)</span>}
              </li>
            ))}
          </ul>
        ) : null,
      ],
      [
        "Phone",
        contact.phones.length > 0 ? (
          <ul className="plain">
            {contact.phones.map((phone, index) => {
              const number = typeof phone.number === "string" ? phone.number : "";
              const label = typeof phone.label === "string" ? phone.label : null;
              return (
                <li key={index}>
                  <a href={`tel:${number.replace(/[^+0-9]/g, "")}`}>{number}</a>
                  {label && <span className="muted"> ({label})</span>}
                </li>
              );
            })}
          </ul>
        ) : null,
      ],
      [
        "Organizations",
        dossier.organizations.length > 0 ? (
          <ul className="plain">
            {contact.affiliations.map((affiliation) => {
              const org = orgs.get(affiliation.organization_id);
              if (!org) return null;
              return (
                <li key={affiliation.id}>
                  <Link to={`/organizations/${encodeURIComponent(org.id)}`}>{org.name}</Link>
                  {affiliation.role && <span className="muted"> · {affiliation.role}</span>}
                  {affiliation.end_date && <span className="muted"> (until {affiliation.end_date})</span>}
                </li>
              );
            })}
          </ul>
        ) : null,
      ],
      ["Location", place || null],
      ["LinkedIn", contact.linkedin_url ? <a href={contact.linkedin_url} rel="noopener noreferrer" target="_blank">Profile</a> : null],
      ["Source", contact.source ? humanize(contact.source) : null],
      ["Notes", contact.notes ? <p className="prewrap">{contact.notes}</p> : null],
      ["Updated", formatDateTime(contact.updated_at)],
    ],
    opportunities: dossier.opportunities,
    lpProfile: dossier.lp_profile,
    lpVia: profileOrg ? profileOrg.name : null,
    followUps: dossier.open_follow_ups,
    latest: dossier.latest_communications,
    canonical: dossier.canonical,
    knownNames,
    suggestions: [],
    investorLabel: (o) => (o.investor_organization_id ? (orgs.get(o.investor_organization_id)?.name ?? null) : null),
    banner,
  };
}

function organizationBody(dossier: OrganizationDossier, banner?: ReactNode): BodyProps {
  const { organization: org } = dossier;
  const knownNames = new Map(dossier.contacts.map((c) => [c.id, contactName(c)]));
  const people = dossier.contacts.map((c) => ({ id: c.id, label: contactName(c) }));
  return {
    subject: { kind: "organization", id: org.id },
    name: org.name,
    subtitle: humanize(org.type),
    editHref: `/organizations/${encodeURIComponent(org.id)}/edit`,
    tags: org.tags,
    ownerId: null,
    details: [
      ["Website", org.website ? <a href={org.website} rel="noopener noreferrer" target="_blank">{org.website.replace(/^https?:\/\//, "")}</a> : null],
      ["Domains", org.domains.length > 0 ? org.domains.join(", ") : null],
      [
        "People",
        people.length > 0 ? (
          <ul className="plain">
            {dossier.contacts.map((c) => (
              <li key={c.id}>
                <Link to={`/contacts/${encodeURIComponent(c.id)}`}>{contactName(c)}</Link>
                {c.title && <span className="muted"> · {c.title}</span>}
              </li>
            ))}
          </ul>
        ) : (
          <span className="muted">Nobody yet</span>
        ),
      ],
      ["About", org.description ? <p className="prewrap">{org.description}</p> : null],
      ["Updated", formatDateTime(org.updated_at)],
    ],
    opportunities: dossier.opportunities,
    lpProfile: dossier.lp_profile,
    lpVia: null,
    followUps: dossier.open_follow_ups,
    latest: dossier.latest_communications,
    canonical: dossier.canonical,
    knownNames,
    suggestions: people,
    banner,
  };
}

function ContactDossierView({ id, banner }: { id: string; banner?: ReactNode }) {
  const dossier = useContactDossier(id);
  if (dossier.isPending) return <DossierSkeleton />;
  if (dossier.isError) return <NotFoundOrError error={dossier.error} what="contact" list="/contacts" />;
  return <DossierBody key={id} {...contactBody(dossier.data, banner)} />;
}

function OrganizationDossierView({ id, banner }: { id: string; banner?: ReactNode }) {
  const dossier = useOrganizationDossier(id);
  if (dossier.isPending) return <DossierSkeleton />;
  if (dossier.isError) return <NotFoundOrError error={dossier.error} what="organization" list="/organizations" />;
  return <DossierBody key={id} {...organizationBody(dossier.data, banner)} />;
}

function DossierSkeleton() {
  return (
    <div className="page" aria-busy="true">
      <SkeletonRows rows={2} />
      <div className="dossier">
        <div className="dossier__main">
          <SkeletonRows rows={8} />
        </div>
        <div className="dossier__side">
          <SkeletonRows rows={6} />
        </div>
      </div>
    </div>
  );
}

export function ContactDossierPage() {
  const { id = "" } = useParams();
  return <ContactDossierView id={id} />;
}

export function OrganizationDossierPage() {
  const { id = "" } = useParams();
  return <OrganizationDossierView id={id} />;
}

/**
 * A canonical entity: the dossier of its main CRM record (a person's first live contact, an
 * organization's first live organization), under a banner naming the entity and its records.
 */
export function EntityDossierPage() {
  const { id = "" } = useParams();
  const entity = useEntity(id);
  if (entity.isPending) return <DossierSkeleton />;
  if (entity.isError) {
    const down = entity.error instanceof ApiError && entity.error.status === 503;
    return (
      <div className="page">
        <EmptyState title={down ? "The resolver is not answering" : "No such entity"}>
          <span>{down ? "Canonical entities come back when it does; contacts and organizations still open." : entity.error.message}</span>
          <Link to="/contacts">Contacts</Link>
        </EmptyState>
      </div>
    );
  }
  const { entity: state, records, redirected_from } = entity.data;
  const wanted = state.kind === "person" ? "contact" : "organization";
  const primary = records.find((r) => r.is_live && r.link.source_kind === wanted);
  const banner = (
    <div className="entity-banner" role="note">
      <Badge tone="accent">{state.kind === "person" ? "Person" : "Organization"}</Badge>
      <span>
        Canonical entity <strong>{state.display_name}</strong>: {records.length} linked {records.length === 1 ? "record" : "records"}
        {state.emails && state.emails.length > 0 && <span className="muted"> · {state.emails.join(", ")}</span>}
      </span>
      {redirected_from && <span className="muted">(merged from another entity)</span>}
    </div>
  );
  if (primary) {
    return primary.link.source_kind === "contact" ? (
      <ContactDossierView id={primary.link.source_id} banner={banner} />
    ) : (
      <OrganizationDossierView id={primary.link.source_id} banner={banner} />
    );
  }
  return (
    <div className="page">
      {banner}
      <PageHeader title={state.display_name} subtitle={state.status === "active" ? "Known from mail and other sources; not in the CRM yet" : humanize(state.status)} />
      <div className="grid-cards">
        <Card title="Linked records" id="linked-title">
          <LinkedRecords entityId={state.id} />
        </Card>
        <Card title="Who knows them" id="who-title">
          <WhoKnows entityId={state.id} />
        </Card>
        <Card title="Intro paths" id="paths-title">
          <IntroPaths entityId={state.id} />
        </Card>
      </div>
    </div>
  );
}

export default ContactDossierPage;
