import { Link } from "react-router";

import { useContactName, useOrganizationName } from "../../api/names";

/** An organization by id, as a link to its dossier once its name is known. */
export function OrganizationLink({ id }: { id: string | null | undefined }) {
  const name = useOrganizationName(id);
  if (!id) return <span className="muted">—</span>;
  if (name.isError) return <span className="muted">(deleted organization)</span>;
  return <Link to={`/organizations/${id}`}>{name.data ?? "…"}</Link>;
}

export function ContactLink({ id }: { id: string | null | undefined }) {
  const name = useContactName(id);
  if (!id) return <span className="muted">—</span>;
  if (name.isError) return <span className="muted">(deleted contact)</span>;
  return <Link to={`/contacts/${id}`}>{name.data ?? "…"}</Link>;
}
