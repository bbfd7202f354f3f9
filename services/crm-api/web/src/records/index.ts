/**
 * Organizations, contacts and LP profiles: their lists, forms and the recycle bin. The forms are
 * exported for the dossier screens (`<ContactForm contact={...} onSaved={...} />`).
 */
import "./records.css";

export { ContactForm, type ContactFormProps } from "./forms/ContactForm";
export { LpProfileForm, type LpProfileFormProps } from "./forms/LpProfileForm";
export { OrganizationForm, type OrganizationFormProps } from "./forms/OrganizationForm";
export { useSoftDelete } from "./softDelete";
