/**
 * Where a search hit opens in the app. Contacts and organizations open their dossier; a
 * communication, opportunity or LP profile opens the dossier of the contact (else organization)
 * it is filed on, with the timeline item to bring into view (`?item=`).
 */
import type { components } from "../api/schema";

type Hit = components["schemas"]["SearchHit"];

export function hitHref(hit: Hit): string | null {
  const { source_kind: kind, source_id: id } = hit.citation;
  if (kind === "contact") return `/contacts/${encodeURIComponent(id)}`;
  if (kind === "organization") return `/organizations/${encodeURIComponent(id)}`;
  const contact = hit.contact_ids?.[0];
  const organization = hit.organization_ids?.[0];
  const focus = kind === "communication" ? `?item=${encodeURIComponent(`communication:${id}`)}` : "";
  if (contact) return `/contacts/${encodeURIComponent(contact)}${focus}`;
  if (organization) return `/organizations/${encodeURIComponent(organization)}${focus}`;
  const entity = hit.entity_ids?.[0];
  if (entity) return `/entities/${encodeURIComponent(entity)}`;
  return null;
}

const KIND_LABEL: Record<string, string> = {
  communication: "Communication",
  contact: "Contact",
  organization: "Organization",
  opportunity: "Opportunity",
  lp_profile: "LP profile",
};

export function sourceKindLabel(kind: string): string {
  return KIND_LABEL[kind] ?? kind.replace(/_/g, " ");
}
