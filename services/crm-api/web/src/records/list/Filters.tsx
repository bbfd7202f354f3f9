/** The toolbar's controls: search, filters of several kinds, the deleted mode. */
import { useEffect, useId, useState } from "react";

import { api, unwrap } from "../../api/client";
import { useOrganizationName } from "../../api/names";
import { Combobox, type Choice } from "../ui/Combobox";
import { useDebounced } from "../ui/useDebounced";
import type { Deleted } from "../types";

export interface FilterDef {
  /** The API's query parameter. */
  key: string;
  label: string;
  kind: "select" | "text" | "date" | "organization";
  options?: { value: string; label: string }[];
}

/** A text input that reports its value once typing pauses, and follows outside changes (Back). */
export function DebouncedInput({
  label,
  value,
  onCommit,
  type = "text",
  placeholder,
  className,
}: {
  label: string;
  value: string;
  onCommit: (value: string) => void;
  type?: "text" | "search";
  placeholder?: string;
  className?: string;
}) {
  const id = useId();
  const [draft, setDraft] = useState(value);
  const [seen, setSeen] = useState(value);
  if (value !== seen) {
    setSeen(value);
    setDraft(value);
  }
  const settled = useDebounced(draft, 300);
  useEffect(() => {
    if (settled !== seen) onCommit(settled);
    // Only a settled draft commits; `seen` and `onCommit` changing alone must not.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [settled]);
  return (
    <div className={className ? `field ${className}` : "field"}>
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        className="input"
        type={type}
        value={draft}
        placeholder={placeholder}
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Enter") {
            event.preventDefault();
            onCommit(draft);
          }
        }}
      />
    </div>
  );
}

function OrganizationFilter({ def, value, onChange }: { def: FilterDef; value: string; onChange: (value: string) => void }) {
  const name = useOrganizationName(value || null);
  const choice: Choice | null = value ? { id: value, label: name.data ?? (name.isError ? "(deleted organization)" : "…") } : null;
  return (
    <Combobox
      label={def.label}
      value={choice}
      cacheKey="organizations"
      placeholder="Any organization"
      onChange={(next) => onChange(next?.id ?? "")}
      search={searchOrganizations}
    />
  );
}

export async function searchOrganizations(text: string): Promise<Choice[]> {
  const page = await unwrap(api.GET("/api/organizations", { params: { query: { q: text || undefined, limit: 10, sort: "name" } } }));
  return page.items.map((org) => ({ id: org.id, label: org.name, detail: org.domains[0] }));
}

export async function searchContacts(text: string): Promise<Choice[]> {
  const page = await unwrap(api.GET("/api/contacts", { params: { query: { q: text || undefined, limit: 10, sort: "last_name" } } }));
  return page.items.map((c) => ({ id: c.id, label: `${c.first_name} ${c.last_name}`, detail: c.primary_email ?? undefined }));
}

export function FilterControl({ def, value, onChange }: { def: FilterDef; value: string; onChange: (value: string) => void }) {
  const id = useId();
  switch (def.kind) {
    case "select":
      return (
        <div className="field">
          <label className="field__label" htmlFor={id}>
            {def.label}
          </label>
          <select id={id} className="select" value={value} onChange={(event) => onChange(event.target.value)}>
            <option value="">Any</option>
            {(def.options ?? []).map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
            {value && !(def.options ?? []).some((o) => o.value === value) && <option value={value}>{value}</option>}
          </select>
        </div>
      );
    case "date":
      return (
        <div className="field">
          <label className="field__label" htmlFor={id}>
            {def.label}
          </label>
          <input id={id} className="input" type="date" value={value} onChange={(event) => onChange(event.target.value)} />
        </div>
      );
    case "text":
      return <DebouncedInput label={def.label} value={value} onCommit={onChange} />;
    case "organization":
      return <OrganizationFilter def={def} value={value} onChange={onChange} />;
  }
}

export function DeletedSelect({ value, onChange }: { value: Deleted; onChange: (value: Deleted) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        Deleted records
      </label>
      <select id={id} className="select" value={value} onChange={(event) => onChange(event.target.value as Deleted)}>
        <option value="exclude">Hide</option>
        <option value="include">Show too</option>
        <option value="only">Only deleted</option>
      </select>
    </div>
  );
}
