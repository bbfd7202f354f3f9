/** The API's shapes this folder works with, all from the generated OpenAPI types. */
import type { components, paths } from "../api/schema";

type Schemas = components["schemas"];

export type Organization = Schemas["OrganizationRead"];
export type OrganizationCreate = Schemas["OrganizationCreate"];
export type OrganizationUpdate = Schemas["OrganizationUpdate"];
export type Contact = Schemas["ContactRead"];
export type ContactCreate = Schemas["ContactCreate"];
export type ContactUpdate = Schemas["ContactUpdate"];
export type AffiliationIn = Schemas["AffiliationIn"];
export type EmailIn = Schemas["EmailIn"];
export type PhoneIn = Schemas["PhoneIn"];
export type LpProfile = Schemas["LpProfileView"];
export type LpProfileRead = Schemas["LpProfileRead"];
export type LpProfileCreate = Schemas["LpProfileCreate"];
export type LpProfileUpdate = Schemas["LpProfileUpdate"];
export type K1In = Schemas["K1In"];
export type Tag = Schemas["TagRead"];
export type TagRef = Schemas["TagRef"];
export type CustomField = Schemas["CustomFieldRead"];
export type FieldType = Schemas["FieldType"];
export type Lookup = Schemas["LookupRead"];
export type User = Schemas["UserRead"];
export type ImportJob = Schemas["ImportJobRead"];
export type ImportReport = Schemas["ImportReport"];
export type ImportRow = Schemas["ImportRow"];
export type Deleted = Schemas["Deleted"];
export type ExportFormat = Schemas["ExportFormat"];
export type AccreditationStatus = Schemas["AccreditationStatus"];
export type AccreditationMethod = Schemas["AccreditationMethod"];
export type KycAmlStatus = Schemas["KycAmlStatus"];
export type QualifiedPurchaser = Schemas["QualifiedPurchaser"];
export type OfferingExemption = Schemas["OfferingExemption"];

type Query<P extends keyof paths> = paths[P] extends { get: { parameters: { query?: infer Q } } } ? NonNullable<Q> : never;

export type OrganizationQuery = Query<"/api/organizations">;
export type ContactQuery = Query<"/api/contacts">;
export type LpProfileQuery = Query<"/api/lp-profiles">;

export type OrganizationSort = NonNullable<OrganizationQuery["sort"]>;
export type ContactSort = NonNullable<ContactQuery["sort"]>;
export type LpProfileSort = NonNullable<LpProfileQuery["sort"]>;

/** The custom-field entities of the API (`GET /api/custom-fields?entity=`). */
export type CustomFieldEntity = Schemas["CustomFieldCreate"]["entity"];

/** A page of any list route: items, the cursor of the next page, and the total that matches. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
  total: number;
}
