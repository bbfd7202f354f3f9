/** Create or edit an investor's LP profile: accreditation, KYC/AML, documents, K-1s. */
import { useId, useState, type SyntheticEvent } from "react";

import { api, unwrap } from "../../api/client";
import { Button } from "../../ui/Button";
import { SelectField, TextArea, TextField } from "../../ui/Field";
import { ifMatch } from "../data";
import { ACCREDITATION_METHOD, ACCREDITATION_STATUS, KYC_AML_STATUS, OFFERING_EXEMPTION, options, QUALIFIED_PURCHASER } from "../labels";
import { searchContacts, searchOrganizations } from "../list/Filters";
import type {
  AccreditationMethod,
  AccreditationStatus,
  KycAmlStatus,
  LpProfileCreate,
  LpProfileRead,
  LpProfileUpdate,
  OfferingExemption,
  QualifiedPurchaser,
} from "../types";
import { Combobox, type Choice } from "../ui/Combobox";
import { FormSection, LookupSelect, ProblemBanner, useUnsavedGuard } from "./parts";
import { useSave } from "./useSave";
import { compactRows, diffPatch, orNull, remapRowErrors } from "./values";

interface K1Row {
  tax_year: string;
  sent_on: string;
  is_amended: boolean;
  note: string;
}

export interface LpProfileValues {
  investorKind: "contact" | "organization";
  investor: Choice | null;
  investor_type: string;
  accreditation_status: AccreditationStatus;
  accreditation_method: AccreditationMethod | "";
  accreditation_verified_on: string;
  accreditation_expires_on: string;
  qualified_purchaser: QualifiedPurchaser;
  offering_exemption: OfferingExemption | "";
  kyc_aml_status: KycAmlStatus;
  legal_docs_signed_on: string;
  wire_received_on: string;
  k1_deliveries: K1Row[];
  notes: string;
}

export function lpProfileValues(profile?: LpProfileRead, investorName?: string): LpProfileValues {
  return {
    investorKind: profile?.organization_id ? "organization" : "contact",
    investor: profile ? { id: profile.contact_id ?? profile.organization_id ?? "", label: investorName ?? "…" } : null,
    investor_type: profile?.investor_type ?? "individual",
    accreditation_status: (profile?.accreditation_status ?? "not_verified") as AccreditationStatus,
    accreditation_method: (profile?.accreditation_method ?? "") as AccreditationMethod | "",
    accreditation_verified_on: profile?.accreditation_verified_on ?? "",
    accreditation_expires_on: profile?.accreditation_expires_on ?? "",
    qualified_purchaser: (profile?.qualified_purchaser ?? "unknown") as QualifiedPurchaser,
    offering_exemption: (profile?.offering_exemption ?? "") as OfferingExemption | "",
    kyc_aml_status: (profile?.kyc_aml_status ?? "not_started") as KycAmlStatus,
    legal_docs_signed_on: profile?.legal_docs_signed_on ?? "",
    wire_received_on: profile?.wire_received_on ?? "",
    k1_deliveries: (profile?.k1_deliveries ?? []).map((k) => ({ tax_year: String(k.tax_year), sent_on: k.sent_on, is_amended: k.is_amended, note: k.note ?? "" })),
    notes: profile?.notes ?? "",
  };
}

const blankK1 = (row: K1Row) => !row.tax_year.trim() && !row.sent_on && !row.note.trim();

export function lpProfileBody(values: LpProfileValues) {
  const k1 = compactRows(values.k1_deliveries, blankK1);
  const body: LpProfileCreate = {
    contact_id: values.investorKind === "contact" ? (values.investor?.id ?? null) : null,
    organization_id: values.investorKind === "organization" ? (values.investor?.id ?? null) : null,
    investor_type: values.investor_type,
    accreditation_status: values.accreditation_status,
    accreditation_method: values.accreditation_method || null,
    accreditation_verified_on: orNull(values.accreditation_verified_on),
    accreditation_expires_on: orNull(values.accreditation_expires_on),
    qualified_purchaser: values.qualified_purchaser,
    offering_exemption: values.offering_exemption || null,
    kyc_aml_status: values.kyc_aml_status,
    legal_docs_signed_on: orNull(values.legal_docs_signed_on),
    wire_received_on: orNull(values.wire_received_on),
    // A year that is not a number goes as typed, for the server to name the problem.
    k1_deliveries: k1.items.map((k) => ({ tax_year: Number(k.tax_year) || (k.tax_year as unknown as number), sent_on: k.sent_on, is_amended: k.is_amended, note: orNull(k.note) })),
    notes: values.notes,
  };
  return { body, remap: (fields: Record<string, string>) => remapRowErrors(fields, "k1_deliveries", k1.screenIndex) };
}

/** The investor of a profile never changes: a PATCH does not take it. */
function withoutInvestor(patch: Partial<LpProfileCreate>): LpProfileUpdate {
  const rest: Partial<LpProfileCreate> = { ...patch };
  delete rest.contact_id;
  delete rest.organization_id;
  return rest;
}

export interface LpProfileFormProps {
  profile?: LpProfileRead;
  /** The investor's name, for an existing profile. */
  investorName?: string;
  /** For a new profile: the investor it is for (e.g. from a dossier). */
  initialInvestor?: { kind: "contact" | "organization"; choice: Choice };
  onSaved: (profile: LpProfileRead) => void;
  onCancel: () => void;
  onReload?: () => void;
}

export function LpProfileForm({ profile, investorName, initialInvestor, onSaved, onCancel, onReload }: LpProfileFormProps) {
  const kindName = useId();
  const [initial] = useState(() => {
    const start = lpProfileValues(profile, investorName);
    if (!profile && initialInvestor) {
      start.investorKind = initialInvestor.kind;
      start.investor = initialInvestor.choice;
    }
    return start;
  });
  const [values, setValues] = useState(initial);
  const set = <K extends keyof LpProfileValues>(key: K, value: LpProfileValues[K]) => setValues((v) => ({ ...v, [key]: value }));
  const dirty = JSON.stringify(values) !== JSON.stringify(initial);
  const guard = useUnsavedGuard(dirty);
  const bodies = () => {
    const now = lpProfileBody(values);
    return { body: now.body, patch: diffPatch(lpProfileBody(initial).body, now.body), remap: now.remap };
  };
  const { problem, errors, saving, save, applyOnLatest } = useSave<LpProfileCreate, LpProfileRead>({
    version: profile?.version,
    create: (body) => unwrap(api.POST("/api/lp-profiles", { body })),
    update: (patch, version) =>
      unwrap(api.PATCH("/api/lp-profiles/{record_id}", { params: { path: { record_id: profile?.id ?? "" }, header: ifMatch(version) }, body: withoutInvestor(patch) })),
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
  const k1 = (index: number, change: Partial<K1Row>) => set("k1_deliveries", values.k1_deliveries.map((row, i) => (i === index ? { ...row, ...change } : row)));
  const investorError = errors.contact_id ?? errors.organization_id;

  return (
    <form className="form records-form" noValidate onSubmit={submit} aria-label={profile ? "Edit LP profile" : "New LP profile"}>
      <ProblemBanner
        problem={problem}
        busy={saving}
        onReload={onReload}
        onApplyMine={() => {
          const { body, patch } = bodies();
          applyOnLatest(body, patch);
        }}
      />
      <FormSection title="Investor">
        {profile ? (
          <p>
            For <strong>{investorName ?? "…"}</strong> ({profile.contact_id ? "a person" : "an organization"}).
          </p>
        ) : (
          <>
            <fieldset className="records-fieldset">
              <legend className="field__label">The investor is</legend>
              <div className="row">
                {(["contact", "organization"] as const).map((kind) => (
                  <label key={kind} className="records-checkline">
                    <input
                      type="radio"
                      name={kindName}
                      checked={values.investorKind === kind}
                      onChange={() => setValues((v) => ({ ...v, investorKind: kind, investor: null }))}
                    />
                    {kind === "contact" ? "A person" : "An organization"}
                  </label>
                ))}
              </div>
            </fieldset>
            <Combobox
              key={values.investorKind}
              label={values.investorKind === "contact" ? "Person" : "Organization"}
              value={values.investor}
              required
              cacheKey={values.investorKind === "contact" ? "contacts" : "organizations"}
              placeholder="Search…"
              search={values.investorKind === "contact" ? searchContacts : searchOrganizations}
              onChange={(choice) => set("investor", choice)}
              error={investorError}
            />
          </>
        )}
        <div className="form__row">
          <LookupSelect label="Investor type" list="investor_type" value={values.investor_type} onChange={(v) => set("investor_type", v)} error={errors.investor_type} />
          <SelectField
            label="Qualified purchaser"
            value={values.qualified_purchaser}
            onChange={(e) => set("qualified_purchaser", e.target.value as QualifiedPurchaser)}
            options={options(QUALIFIED_PURCHASER)}
            error={errors.qualified_purchaser}
          />
          <SelectField
            label="Offering"
            value={values.offering_exemption}
            onChange={(e) => set("offering_exemption", e.target.value as OfferingExemption | "")}
            options={[{ value: "", label: "—" }, ...options(OFFERING_EXEMPTION)]}
            error={errors.offering_exemption}
            hint="506(c) needs a verified accreditation (not self-certified)."
          />
        </div>
      </FormSection>
      <FormSection title="Accreditation and KYC/AML">
        <div className="form__row">
          <SelectField
            label="Accreditation"
            value={values.accreditation_status}
            onChange={(e) => set("accreditation_status", e.target.value as AccreditationStatus)}
            options={options(ACCREDITATION_STATUS)}
            error={errors.accreditation_status}
          />
          <SelectField
            label="Method"
            value={values.accreditation_method}
            onChange={(e) => set("accreditation_method", e.target.value as AccreditationMethod | "")}
            options={[{ value: "", label: "—" }, ...options(ACCREDITATION_METHOD)]}
            error={errors.accreditation_method}
          />
          <TextField label="Verified on" type="date" value={values.accreditation_verified_on} onChange={(e) => set("accreditation_verified_on", e.target.value)} error={errors.accreditation_verified_on} />
          <TextField label="Expires on" type="date" value={values.accreditation_expires_on} onChange={(e) => set("accreditation_expires_on", e.target.value)} error={errors.accreditation_expires_on} />
        </div>
        <div className="form__row">
          <SelectField label="KYC/AML" value={values.kyc_aml_status} onChange={(e) => set("kyc_aml_status", e.target.value as KycAmlStatus)} options={options(KYC_AML_STATUS)} error={errors.kyc_aml_status} />
          <TextField label="Legal documents signed on" type="date" value={values.legal_docs_signed_on} onChange={(e) => set("legal_docs_signed_on", e.target.value)} error={errors.legal_docs_signed_on} />
          <TextField label="Wire received on" type="date" value={values.wire_received_on} onChange={(e) => set("wire_received_on", e.target.value)} error={errors.wire_received_on} />
        </div>
      </FormSection>
      <FormSection title="K-1 deliveries">
        {values.k1_deliveries.length === 0 && <p className="muted records-note">No K-1 sent yet.</p>}
        {values.k1_deliveries.map((row, index) => (
          <div key={index} className="records-inline">
            <TextField label={`Tax year ${index + 1}`} inputMode="numeric" value={row.tax_year} onChange={(e) => k1(index, { tax_year: e.target.value })} error={errors[`k1_deliveries.${index}.tax_year`] ?? errors[`k1_deliveries.${index}`]} />
            <TextField label={`Sent on ${index + 1}`} type="date" value={row.sent_on} onChange={(e) => k1(index, { sent_on: e.target.value })} error={errors[`k1_deliveries.${index}.sent_on`]} />
            <TextField label={`Note ${index + 1}`} value={row.note} onChange={(e) => k1(index, { note: e.target.value })} error={errors[`k1_deliveries.${index}.note`]} />
            <label className="records-checkline">
              <input type="checkbox" checked={row.is_amended} onChange={(e) => k1(index, { is_amended: e.target.checked })} />
              Amended
            </label>
            <Button small variant="ghost" aria-label={`Remove K-1 ${index + 1}`} onClick={() => set("k1_deliveries", values.k1_deliveries.filter((_, i) => i !== index))}>
              Remove
            </Button>
          </div>
        ))}
        {errors.k1_deliveries && (
          <span className="field__error" role="alert">
            {errors.k1_deliveries}
          </span>
        )}
        <div>
          <Button small onClick={() => set("k1_deliveries", [...values.k1_deliveries, { tax_year: String(new Date().getFullYear() - 1), sent_on: "", is_amended: false, note: "" }])}>
            Add a K-1
          </Button>
        </div>
      </FormSection>
      <TextArea label="Notes" value={values.notes} onChange={(e) => set("notes", e.target.value)} error={errors.notes} />
      <div className="form__actions">
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" disabled={saving}>
          {saving ? "Saving…" : profile ? "Save changes" : "Create LP profile"}
        </Button>
      </div>
      {guard.dialog}
    </form>
  );
}
