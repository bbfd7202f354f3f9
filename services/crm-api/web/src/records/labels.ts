/** Words for the API's enums of LP profiles (Rule 501(a), Reg D 506(b)/(c), KYC/AML). */
import type { AccreditationMethod, AccreditationStatus, KycAmlStatus, OfferingExemption, QualifiedPurchaser } from "./types";

export const ACCREDITATION_STATUS: Record<AccreditationStatus, string> = {
  not_verified: "Not verified",
  pending: "Pending",
  accredited: "Accredited",
  not_accredited: "Not accredited",
  expired: "Expired",
};

export const ACCREDITATION_METHOD: Record<AccreditationMethod, string> = {
  income: "Income",
  net_worth: "Net worth",
  professional_certification: "Professional certification",
  knowledgeable_employee: "Knowledgeable employee",
  entity_assets: "Entity assets",
  entity_owners_accredited: "All owners accredited",
  third_party_letter: "Third-party letter",
  self_certification: "Self-certification",
};

export const QUALIFIED_PURCHASER: Record<QualifiedPurchaser, string> = { yes: "Yes", no: "No", unknown: "Unknown" };

export const OFFERING_EXEMPTION: Record<OfferingExemption, string> = { "506b": "Rule 506(b)", "506c": "Rule 506(c)" };

export const KYC_AML_STATUS: Record<KycAmlStatus, string> = {
  not_started: "Not started",
  pending: "Pending",
  cleared: "Cleared",
  failed: "Failed",
};

export function options<K extends string>(labels: Record<K, string>): { value: K; label: string }[] {
  return (Object.entries(labels) as [K, string][]).map(([value, label]) => ({ value, label }));
}

export function labelOf<K extends string>(labels: Record<K, string>, value: string | null | undefined): string {
  if (!value) return "—";
  return (labels as Record<string, string | undefined>)[value] ?? value;
}
