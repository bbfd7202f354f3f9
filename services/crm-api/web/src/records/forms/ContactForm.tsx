/** Create or edit a contact: emails, phones, affiliations, owner, tags, custom fields. Exported for the dossier. */
import { useState, type SyntheticEvent } from "react";

import { api, unwrap } from "../../api/client";
import { useUser } from "../../auth/session";
import { Button } from "../../ui/Button";
import { TextArea, TextField } from "../../ui/Field";
import { ifMatch, useCustomFields } from "../data";
import { searchOrganizations } from "../list/Filters";
import { errorAt } from "../problems";
import type { Contact, ContactCreate, CustomField, Organization } from "../types";
import { Combobox, type Choice } from "../ui/Combobox";
import { CustomFieldInputs, FormSection, LookupSelect, OwnerSelect, ProblemBanner, TagPicker, useUnsavedGuard } from "./parts";
import { useSave } from "./useSave";
import { compactRows, customFromApi, customToApi, diffPatch, orNull, remapRowErrors, type CustomInput } from "./values";

interface EmailRow {
  email: string;
  label: string;
  is_primary: boolean;
}
interface PhoneRow {
  number: string;
  label: string;
}
interface AffiliationRow {
  organization: Choice | null;
  role: string;
  start_date: string;
  end_date: string;
  is_primary: boolean;
}

export interface ContactValues {
  first_name: string;
  last_name: string;
  title: string;
  contact_type: string;
  status: string;
  source: string;
  owner_id: string;
  emails: EmailRow[];
  phones: PhoneRow[];
  affiliations: AffiliationRow[];
  city: string;
  region: string;
  country: string;
  linkedin_url: string;
  notes: string;
  tag_ids: string[];
  custom: Record<string, CustomInput>;
}

const blankEmail = (row: EmailRow) => !row.email.trim() && !row.label.trim();
const blankPhone = (row: PhoneRow) => !row.number.trim() && !row.label.trim();
const blankAffiliation = (row: AffiliationRow) => !row.organization && !row.role.trim() && !row.start_date && !row.end_date;

function text(value: string | null | undefined): string {
  return value ?? "";
}

export function contactValues(contact?: Contact, organizations: Pick<Organization, "id" | "name">[] = [], ownerId = ""): ContactValues {
  const names = new Map(organizations.map((o) => [o.id, o.name]));
  return {
    first_name: text(contact?.first_name),
    last_name: text(contact?.last_name),
    title: text(contact?.title),
    contact_type: contact?.contact_type ?? "prospect",
    status: contact?.status ?? "active",
    source: text(contact?.source),
    owner_id: contact ? text(contact.owner_id) : ownerId,
    emails: contact?.emails.length ? contact.emails.map((e) => ({ email: e.email, label: text(e.label), is_primary: e.is_primary })) : [{ email: "", label: "", is_primary: true }],
    phones: contact?.phones.length
      ? contact.phones.map((p) => ({ number: typeof p.number === "string" ? p.number : "", label: typeof p.label === "string" ? p.label : "" }))
      : [{ number: "", label: "" }],
    affiliations: (contact?.affiliations ?? []).map((a) => ({
      organization: { id: a.organization_id, label: names.get(a.organization_id) ?? "(organization)" },
      role: text(a.role),
      start_date: text(a.start_date),
      end_date: text(a.end_date),
      is_primary: a.is_primary,
    })),
    city: text(contact?.city),
    region: text(contact?.region),
    country: text(contact?.country),
    linkedin_url: text(contact?.linkedin_url),
    notes: text(contact?.notes),
    tag_ids: contact?.tags.map((t) => t.id) ?? [],
    custom: customFromApi(contact?.custom_fields),
  };
}

/** The body and, for each list, which row on screen each sent row came from. */
export function contactBody(values: ContactValues, defs: CustomField[]) {
  const emails = compactRows(values.emails, blankEmail);
  const phones = compactRows(values.phones, blankPhone);
  const affiliations = compactRows(values.affiliations, blankAffiliation);
  const body: ContactCreate = {
    first_name: values.first_name.trim(),
    last_name: values.last_name.trim(),
    title: orNull(values.title),
    contact_type: values.contact_type,
    status: values.status,
    source: orNull(values.source),
    owner_id: orNull(values.owner_id),
    emails: emails.items.map((e) => ({ email: e.email.trim(), label: orNull(e.label), is_primary: e.is_primary })),
    phones: phones.items.map((p) => ({ number: p.number.trim(), label: orNull(p.label) })),
    affiliations: affiliations.items.map((a) => ({
      organization_id: a.organization?.id ?? "",
      role: orNull(a.role),
      start_date: orNull(a.start_date),
      end_date: orNull(a.end_date),
      is_primary: a.is_primary,
    })),
    city: orNull(values.city),
    region: orNull(values.region),
    country: orNull(values.country),
    linkedin_url: orNull(values.linkedin_url),
    notes: values.notes,
    tag_ids: values.tag_ids,
    custom_fields: customToApi(defs, values.custom),
  };
  const remap = (fields: Record<string, string>) =>
    remapRowErrors(remapRowErrors(remapRowErrors(fields, "emails", emails.screenIndex), "phones", phones.screenIndex), "affiliations", affiliations.screenIndex);
  return { body, remap };
}

function update<T>(rows: T[], index: number, change: Partial<T>): T[] {
  return rows.map((row, i) => (i === index ? { ...row, ...change } : row));
}

function RowErrors({ messages }: { messages: string[] }) {
  if (messages.length === 0) return null;
  return (
    <ul className="field__error records-row-errors" role="alert">
      {messages.map((m) => (
        <li key={m}>{m}</li>
      ))}
    </ul>
  );
}

export interface ContactFormProps {
  /** The contact to edit (with its organizations, for the affiliations' names); new when absent. */
  contact?: Contact;
  organizations?: Pick<Organization, "id" | "name">[];
  /** For a new contact: an affiliation to start with (e.g. from an organization's page). */
  initialOrganization?: Choice;
  onSaved: (contact: Contact) => void;
  onCancel: () => void;
  onReload?: () => void;
}

export function ContactForm({ contact, organizations, initialOrganization, onSaved, onCancel, onReload }: ContactFormProps) {
  const user = useUser();
  const defs = useCustomFields("contact");
  const [initial] = useState(() => {
    const start = contactValues(contact, organizations, user.id);
    if (!contact && initialOrganization) start.affiliations = [{ organization: initialOrganization, role: "", start_date: "", end_date: "", is_primary: true }];
    return start;
  });
  const [values, setValues] = useState(initial);
  const set = <K extends keyof ContactValues>(key: K, value: ContactValues[K]) => setValues((v) => ({ ...v, [key]: value }));
  const dirty = JSON.stringify(values) !== JSON.stringify(initial);
  const guard = useUnsavedGuard(dirty);
  const bodies = () => {
    const all = defs.data ?? [];
    const now = contactBody(values, all);
    return { body: now.body, patch: diffPatch(contactBody(initial, all).body, now.body), remap: now.remap };
  };
  const { problem, errors, saving, save, applyOnLatest } = useSave<ContactCreate, Contact>({
    version: contact?.version,
    create: (body) => unwrap(api.POST("/api/contacts", { body })),
    update: (patch, version) => unwrap(api.PATCH("/api/contacts/{record_id}", { params: { path: { record_id: contact?.id ?? "" }, header: ifMatch(version) }, body: patch })),
    remap: (fields) => bodies().remap(fields),
    onSaved: (saved) => {
      guard.release();
      onSaved(saved);
    },
  });
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    const { body, patch } = bodies();
    save(body, patch);
  };
  const name = contact ? `${contact.first_name} ${contact.last_name}` : "";

  return (
    <form className="form records-form" noValidate onSubmit={submit} aria-label={contact ? `Edit ${name}` : "New contact"}>
      <ProblemBanner
        problem={problem}
        busy={saving}
        onReload={onReload}
        onApplyMine={() => {
          const { body, patch } = bodies();
          applyOnLatest(body, patch);
        }}
      />
      <FormSection title="Person">
        <div className="form__row">
          <TextField label="First name" required autoComplete="off" value={values.first_name} onChange={(e) => set("first_name", e.target.value)} error={errors.first_name} />
          <TextField label="Last name" required autoComplete="off" value={values.last_name} onChange={(e) => set("last_name", e.target.value)} error={errors.last_name} />
          <TextField label="Title" value={values.title} onChange={(e) => set("title", e.target.value)} error={errors.title} />
        </div>
        <div className="form__row">
          <LookupSelect label="Type" list="contact_type" value={values.contact_type} onChange={(v) => set("contact_type", v)} error={errors.contact_type} />
          <LookupSelect label="Status" list="contact_status" value={values.status} onChange={(v) => set("status", v)} error={errors.status} />
          <LookupSelect label="Source" list="contact_source" allowEmpty value={values.source} onChange={(v) => set("source", v)} error={errors.source} />
          <OwnerSelect value={values.owner_id} onChange={(v) => set("owner_id", v)} error={errors.owner_id} />
        </div>
      </FormSection>

      <FormSection title="Email addresses">
        {values.emails.map((row, index) => (
          <div key={index} className="records-inline">
            <TextField label={`Email ${index + 1}`} type="email" autoComplete="off" value={row.email} onChange={(e) => set("emails", update(values.emails, index, { email: e.target.value }))} error={errors[`emails.${index}.email`] ?? errors[`emails.${index}`]} />
            <TextField label={`Label of email ${index + 1}`} placeholder="work, personal…" value={row.label} onChange={(e) => set("emails", update(values.emails, index, { label: e.target.value }))} error={errors[`emails.${index}.label`]} />
            <label className="records-checkline">
              <input type="radio" name="primary-email" checked={row.is_primary} onChange={() => set("emails", values.emails.map((e, i) => ({ ...e, is_primary: i === index })))} />
              Primary
            </label>
            <Button small variant="ghost" aria-label={`Remove email ${index + 1}`} onClick={() => set("emails", values.emails.filter((_, i) => i !== index))}>
              Remove
            </Button>
          </div>
        ))}
        <RowErrors messages={errors.emails ? [errors.emails] : []} />
        <div>
          <Button small onClick={() => set("emails", [...values.emails, { email: "", label: "", is_primary: values.emails.length === 0 }])}>
            Add an email
          </Button>
        </div>
      </FormSection>

      <FormSection title="Phones">
        {values.phones.map((row, index) => (
          <div key={index} className="records-inline">
            <TextField label={`Phone ${index + 1}`} type="tel" value={row.number} onChange={(e) => set("phones", update(values.phones, index, { number: e.target.value }))} error={errors[`phones.${index}.number`] ?? errors[`phones.${index}`]} />
            <TextField label={`Label of phone ${index + 1}`} placeholder="mobile, office…" value={row.label} onChange={(e) => set("phones", update(values.phones, index, { label: e.target.value }))} error={errors[`phones.${index}.label`]} />
            <Button small variant="ghost" aria-label={`Remove phone ${index + 1}`} onClick={() => set("phones", values.phones.filter((_, i) => i !== index))}>
              Remove
            </Button>
          </div>
        ))}
        <div>
          <Button small onClick={() => set("phones", [...values.phones, { number: "", label: "" }])}>
            Add a phone
          </Button>
        </div>
      </FormSection>

      <FormSection title="Organizations">
        {values.affiliations.length === 0 && <p className="muted records-note">Not linked to an organization. A person can work at several: add each one.</p>}
        {values.affiliations.map((row, index) => (
          <div key={index} className="records-affiliation">
            <Combobox
              label={`Organization ${index + 1}`}
              value={row.organization}
              cacheKey="organizations"
              placeholder="Search organizations…"
              search={searchOrganizations}
              onChange={(choice) => set("affiliations", update(values.affiliations, index, { organization: choice }))}
              error={errors[`affiliations.${index}.organization_id`] ?? errors[`affiliations.${index}`]}
            />
            <TextField label={`Role at organization ${index + 1}`} placeholder="Partner, CIO…" value={row.role} onChange={(e) => set("affiliations", update(values.affiliations, index, { role: e.target.value }))} error={errors[`affiliations.${index}.role`]} />
            <TextField label={`Start date ${index + 1}`} type="date" value={row.start_date} onChange={(e) => set("affiliations", update(values.affiliations, index, { start_date: e.target.value }))} error={errors[`affiliations.${index}.start_date`]} />
            <TextField label={`End date ${index + 1}`} type="date" value={row.end_date} onChange={(e) => set("affiliations", update(values.affiliations, index, { end_date: e.target.value }))} error={errors[`affiliations.${index}.end_date`]} />
            <label className="records-checkline">
              <input type="radio" name="primary-affiliation" checked={row.is_primary} onChange={() => set("affiliations", values.affiliations.map((a, i) => ({ ...a, is_primary: i === index })))} />
              Primary
            </label>
            <Button small variant="ghost" aria-label={`Remove organization ${index + 1}`} onClick={() => set("affiliations", values.affiliations.filter((_, i) => i !== index))}>
              Remove
            </Button>
          </div>
        ))}
        <RowErrors messages={errors.affiliations ? [errors.affiliations] : []} />
        <div>
          <Button
            small
            onClick={() => set("affiliations", [...values.affiliations, { organization: null, role: "", start_date: "", end_date: "", is_primary: values.affiliations.length === 0 }])}
          >
            Add an organization
          </Button>
        </div>
      </FormSection>

      <FormSection title="Where and more">
        <div className="form__row">
          <TextField label="City" value={values.city} onChange={(e) => set("city", e.target.value)} error={errors.city} />
          <TextField label="Region" value={values.region} onChange={(e) => set("region", e.target.value)} error={errors.region} />
          <TextField label="Country" value={values.country} onChange={(e) => set("country", e.target.value)} error={errors.country} />
        </div>
        <TextField label="LinkedIn" type="url" placeholder="https://www.linkedin.com/in/…" value={values.linkedin_url} onChange={(e) => set("linkedin_url", e.target.value)} error={errors.linkedin_url} />
        <TextArea label="Notes" value={values.notes} onChange={(e) => set("notes", e.target.value)} error={errors.notes} />
        <TagPicker value={values.tag_ids} onChange={(ids) => set("tag_ids", ids)} error={errorAt(errors, "tag_ids")} />
      </FormSection>
      <CustomFieldInputs entity="contact" values={values.custom} onChange={(key, value) => set("custom", { ...values.custom, [key]: value })} errors={errors} />
      <div className="form__actions">
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" disabled={saving}>
          {saving ? "Saving…" : contact ? "Save changes" : "Create contact"}
        </Button>
      </div>
      {guard.dialog}
    </form>
  );
}
