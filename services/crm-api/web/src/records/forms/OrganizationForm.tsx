/** Create or edit an organization; exported for the dossier. */
import { useState, type SyntheticEvent } from "react";

import { api, unwrap } from "../../api/client";
import { Button } from "../../ui/Button";
import { TextArea, TextField } from "../../ui/Field";
import { ifMatch, useCustomFields } from "../data";
import { errorAt } from "../problems";
import type { CustomField, Organization, OrganizationCreate } from "../types";
import { CustomFieldInputs, FormSection, LookupSelect, ProblemBanner, TagPicker, useUnsavedGuard } from "./parts";
import { useSave } from "./useSave";
import { customFromApi, customToApi, diffPatch, orNull, splitList, type CustomInput } from "./values";

export interface OrganizationValues {
  name: string;
  type: string;
  website: string;
  domains: string;
  description: string;
  tag_ids: string[];
  custom: Record<string, CustomInput>;
}

export function organizationValues(org?: Organization): OrganizationValues {
  return {
    name: org?.name ?? "",
    type: org?.type ?? "other",
    website: org?.website ?? "",
    domains: org?.domains.join(", ") ?? "",
    description: org?.description ?? "",
    tag_ids: org?.tags.map((t) => t.id) ?? [],
    custom: customFromApi(org?.custom_fields),
  };
}

export function organizationBody(values: OrganizationValues, defs: CustomField[]): OrganizationCreate {
  return {
    name: values.name.trim(),
    type: values.type,
    website: orNull(values.website),
    domains: splitList(values.domains).map((d) => d.toLowerCase()),
    description: values.description,
    tag_ids: values.tag_ids,
    custom_fields: customToApi(defs, values.custom),
  };
}

export interface OrganizationFormProps {
  /** The organization to edit; a new one when absent. */
  organization?: Organization;
  onSaved: (organization: Organization) => void;
  onCancel: () => void;
  /** Reloads the record after a stale-version conflict (the form is then opened again). */
  onReload?: () => void;
}

export function OrganizationForm({ organization, onSaved, onCancel, onReload }: OrganizationFormProps) {
  const defs = useCustomFields("organization");
  const [initial] = useState(() => organizationValues(organization));
  const [values, setValues] = useState(initial);
  const set = <K extends keyof OrganizationValues>(key: K, value: OrganizationValues[K]) => setValues((v) => ({ ...v, [key]: value }));
  const dirty = JSON.stringify(values) !== JSON.stringify(initial);
  const guard = useUnsavedGuard(dirty);
  const { problem, errors, saving, save, applyOnLatest } = useSave<OrganizationCreate, Organization>({
    version: organization?.version,
    create: (body) => unwrap(api.POST("/api/organizations", { body })),
    update: (patch, version) =>
      unwrap(api.PATCH("/api/organizations/{record_id}", { params: { path: { record_id: organization?.id ?? "" }, header: ifMatch(version) }, body: patch })),
    onSaved: (saved) => {
      guard.release();
      onSaved(saved);
    },
  });
  const bodies = () => {
    const all = defs.data ?? [];
    const body = organizationBody(values, all);
    return { body, patch: diffPatch(organizationBody(initial, all), body) };
  };
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    const { body, patch } = bodies();
    save(body, patch);
  };

  return (
    <form className="form records-form" noValidate onSubmit={submit} aria-label={organization ? `Edit ${organization.name}` : "New organization"}>
      <ProblemBanner
        problem={problem}
        busy={saving}
        onReload={onReload}
        onApplyMine={() => {
          const { body, patch } = bodies();
          applyOnLatest(body, patch);
        }}
      />
      <FormSection title="Organization">
        <div className="form__row">
          <TextField label="Name" required autoComplete="organization" value={values.name} onChange={(e) => set("name", e.target.value)} error={errors.name} />
          <LookupSelect label="Type" list="organization_type" value={values.type} onChange={(v) => set("type", v)} error={errors.type} />
        </div>
        <div className="form__row">
          <TextField label="Website" type="url" placeholder="https://" value={values.website} onChange={(e) => set("website", e.target.value)} error={errors.website} />
          <TextField
            label="Email domains"
            hint="Separated by commas, e.g. example.com, example.org. A domain belongs to one organization."
            value={values.domains}
            onChange={(e) => set("domains", e.target.value)}
            error={errorAt(errors, "domains")}
          />
        </div>
        <TextArea label="Description" value={values.description} onChange={(e) => set("description", e.target.value)} error={errors.description} />
        <TagPicker value={values.tag_ids} onChange={(ids) => set("tag_ids", ids)} error={errorAt(errors, "tag_ids")} />
      </FormSection>
      <CustomFieldInputs entity="organization" values={values.custom} onChange={(key, value) => set("custom", { ...values.custom, [key]: value })} errors={errors} />
      <div className="form__actions">
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" disabled={saving}>
          {saving ? "Saving…" : organization ? "Save changes" : "Create organization"}
        </Button>
      </div>
      {guard.dialog}
    </form>
  );
}
