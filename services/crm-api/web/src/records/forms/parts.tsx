/** Pieces every record form uses: the problem banner, lookups, owner, tags, custom fields. */
import "../records.css";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { useBlocker } from "react-router";

import { api, unwrap } from "../../api/client";
import { Button } from "../../ui/Button";
import { Dialog } from "../../ui/Dialog";
import { Field, SelectField, TextField } from "../../ui/Field";
import { useToast } from "../../ui/toast";
import { lookupOptions, useCustomFields, useLookup, useTags, useUsers } from "../data";
import { fieldName, toFormProblem, type FormProblem } from "../problems";
import type { CustomFieldEntity } from "../types";
import type { CustomInput } from "./values";

/** The top of a form after a failed save: what went wrong, and for a stale version, the way out. */
export function ProblemBanner({
  problem,
  onReload,
  onApplyMine,
  busy,
}: {
  problem: FormProblem | null;
  onReload?: () => void;
  onApplyMine?: () => void;
  busy?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (problem) ref.current?.focus();
  }, [problem]);
  if (!problem?.message) return null;
  return (
    <div ref={ref} tabIndex={-1} className="form__error records-problem" role="alert">
      <p>{problem.message}</p>
      {Object.keys(problem.fields).length > 0 && (
        <ul className="records-problem__list">
          {Object.entries(problem.fields).map(([key, message]) => (
            <li key={key}>
              <strong>{fieldName(key)}</strong>: {message}
            </li>
          ))}
        </ul>
      )}
      {problem.conflict && (
        <div className="row">
          {onApplyMine && (
            <Button small variant="primary" onClick={onApplyMine} disabled={busy}>
              Apply my changes to the latest version
            </Button>
          )}
          {onReload && (
            <Button small onClick={onReload} disabled={busy}>
              Reload the latest version (discard mine)
            </Button>
          )}
        </div>
      )}
    </div>
  );
}

export function FormSection({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className="records-section" aria-labelledby={id}>
      <h2 id={id} className="records-section__title">
        {title}
      </h2>
      <div className="stack">{children}</div>
    </section>
  );
}

export function LookupSelect({
  label,
  list,
  value,
  onChange,
  error,
  allowEmpty = false,
}: {
  label: string;
  list: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  allowEmpty?: boolean;
}) {
  const values = useLookup(list);
  const options = lookupOptions(values.data, value);
  return (
    <SelectField
      label={label}
      value={value}
      onChange={(event) => onChange(event.target.value)}
      error={error}
      options={allowEmpty || !value ? [{ value: "", label: allowEmpty ? "—" : "Choose…" }, ...options] : options}
    />
  );
}

export function OwnerSelect({ value, onChange, error }: { value: string; onChange: (value: string) => void; error?: string | undefined }) {
  const users = useUsers();
  const options = (users.data ?? []).filter((u) => u.is_active || u.id === value).map((u) => ({ value: u.id, label: u.display_name }));
  return <SelectField label="Owner" value={value} onChange={(event) => onChange(event.target.value)} error={error} options={[{ value: "", label: "No owner" }, ...options]} />;
}

const TAG_COLORS = ["#2563eb", "#16a34a", "#d97706", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#64748b"];

/** A new tag's colour, the same for the same name. */
function tagColor(name: string): string {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return TAG_COLORS[hash % TAG_COLORS.length] ?? "#64748b";
}

/** Tags on a record: chips to remove, a select to add an existing one, a field to create one. */
export function TagPicker({ value, onChange, error }: { value: string[]; onChange: (ids: string[]) => void; error?: string | undefined }) {
  const tags = useTags();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [newName, setNewName] = useState("");
  const [newError, setNewError] = useState<string | undefined>();
  const addId = useId();
  const all = tags.data?.items ?? [];
  const chosen = value.map((id) => all.find((t) => t.id === id) ?? { id, name: "…", color: "#64748b" });
  const available = all.filter((t) => !value.includes(t.id));
  const create = useMutation({
    mutationFn: (name: string) => unwrap(api.POST("/api/tags", { body: { name, color: tagColor(name), description: "" } })),
    onSuccess: (tag) => {
      onChange([...value, tag.id]);
      setNewName("");
      setNewError(undefined);
      toast.show(`Tag ${tag.name} created`);
      void queryClient.invalidateQueries({ queryKey: ["tags"] });
    },
    onError: (err) => {
      const problem = toFormProblem(err);
      setNewError(problem.fields.name ?? problem.message ?? "Could not create the tag");
    },
  });
  return (
    <fieldset className="records-fieldset">
      <legend className="field__label">Tags</legend>
      {chosen.length > 0 ? (
        <ul className="records-tags" aria-label="Chosen tags">
          {chosen.map((tag) => (
            <li key={tag.id} className="badge records-tag">
              <span className="records-tag__dot" style={{ background: tag.color }} aria-hidden="true" />
              {tag.name}
              <button type="button" className="records-tag__remove" aria-label={`Remove tag ${tag.name}`} onClick={() => onChange(value.filter((id) => id !== tag.id))}>
                ✕
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted records-note">No tags.</p>
      )}
      <div className="records-inline">
        <div className="field">
          <label className="field__label" htmlFor={addId}>
            Add a tag
          </label>
          <select
            id={addId}
            className="select"
            value=""
            onChange={(event) => {
              if (event.target.value) onChange([...value, event.target.value]);
            }}
          >
            <option value="">{available.length ? "Choose a tag…" : "No other tags"}</option>
            {available.map((tag) => (
              <option key={tag.id} value={tag.id}>
                {tag.name}
              </option>
            ))}
          </select>
        </div>
        <TextField
          label="Or create a tag"
          value={newName}
          maxLength={64}
          error={newError}
          onChange={(event) => setNewName(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "Enter") {
              event.preventDefault();
              if (newName.trim()) create.mutate(newName.trim());
            }
          }}
        />
        <Button onClick={() => create.mutate(newName.trim())} disabled={!newName.trim() || create.isPending}>
          Create tag
        </Button>
      </div>
      {error && (
        <span className="field__error" role="alert">
          {error}
        </span>
      )}
    </fieldset>
  );
}

/** Typed inputs for the entity's active custom fields (retired ones show only when they hold a value). */
export function CustomFieldInputs({
  entity,
  values,
  onChange,
  errors,
}: {
  entity: CustomFieldEntity;
  values: Record<string, CustomInput>;
  onChange: (key: string, value: CustomInput) => void;
  errors: Record<string, string>;
}) {
  const defs = useCustomFields(entity);
  const shown = (defs.data ?? []).filter((d) => d.is_active || (values[d.key] !== undefined && values[d.key] !== "" && values[d.key] !== false));
  if (shown.length === 0) return null;
  return (
    <FormSection title="Custom fields">
      <div className="form__row">
        {shown.map((def) => {
          const error = errors[`custom_fields.${def.key}`];
          const label = def.is_required ? `${def.label} (required)` : def.label;
          const value = values[def.key];
          const text = typeof value === "string" ? value : "";
          switch (def.type) {
            case "boolean":
              return (
                <Field key={def.key} label={label} error={error}>
                  {({ id, describedBy, invalid }) => (
                    <input id={id} type="checkbox" className="records-check" checked={value === true} aria-describedby={describedBy} aria-invalid={invalid || undefined} onChange={(event) => onChange(def.key, event.target.checked)} />
                  )}
                </Field>
              );
            case "select":
              return (
                <SelectField
                  key={def.key}
                  label={label}
                  error={error}
                  value={text}
                  onChange={(event) => onChange(def.key, event.target.value)}
                  options={[{ value: "", label: "—" }, ...def.options.map((o) => ({ value: o, label: o }))]}
                />
              );
            case "multiselect": {
              const chosen = Array.isArray(value) ? value : [];
              return (
                <fieldset key={def.key} className="records-fieldset" aria-describedby={error ? `${def.key}-error` : undefined}>
                  <legend className="field__label">{label}</legend>
                  <div className="row">
                    {def.options.map((option) => (
                      <label key={option} className="records-checkline">
                        <input
                          type="checkbox"
                          checked={chosen.includes(option)}
                          onChange={(event) => onChange(def.key, event.target.checked ? [...chosen, option] : chosen.filter((o) => o !== option))}
                        />
                        {option}
                      </label>
                    ))}
                  </div>
                  {error && (
                    <span id={`${def.key}-error`} className="field__error" role="alert">
                      {error}
                    </span>
                  )}
                </fieldset>
              );
            }
            default:
              return (
                <TextField
                  key={def.key}
                  label={label}
                  error={error}
                  value={text}
                  type={def.type === "date" ? "date" : def.type === "url" ? "url" : def.type === "email" ? "email" : "text"}
                  inputMode={def.type === "number" || def.type === "decimal" ? "decimal" : undefined}
                  onChange={(event) => onChange(def.key, event.target.value)}
                />
              );
          }
        })}
      </div>
    </FormSection>
  );
}

/** Asks before leaving a form with unsaved changes (in-app navigation and closing the tab). */
export function useUnsavedGuard(dirty: boolean) {
  const allow = useRef(false);
  const blocker = useBlocker(({ currentLocation, nextLocation }) => dirty && !allow.current && currentLocation.pathname !== nextLocation.pathname);
  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      if (!allow.current) event.preventDefault();
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, [dirty]);
  const dialog = (
    <Dialog open={blocker.state === "blocked"} title="Leave without saving?" onClose={() => blocker.reset?.()}>
      <p>Your changes to this form have not been saved.</p>
      <div className="form__actions">
        <Button onClick={() => blocker.reset?.()}>Keep editing</Button>
        <Button variant="danger" onClick={() => blocker.proceed?.()}>
          Leave and discard
        </Button>
      </div>
    </Dialog>
  );
  return {
    dialog,
    /** Call before navigating away after a save. */
    release: () => {
      allow.current = true;
    },
  };
}
