/** Adding a typed custom column to the grid (POST /api/grid/columns); its key never changes. */
import { useState, type SyntheticEvent } from "react";

import { api, unwrap } from "../api/client";
import type { components } from "../api/schema";
import { ApiError } from "../api/problem";
import { Button } from "../ui/Button";
import { Dialog } from "../ui/Dialog";
import { SelectField, TextField } from "../ui/Field";

type FieldType = components["schemas"]["FieldType"];

const TYPES: { value: FieldType; label: string }[] = [
  { value: "text", label: "Text" },
  { value: "number", label: "Number" },
  { value: "decimal", label: "Decimal (exact)" },
  { value: "date", label: "Date" },
  { value: "boolean", label: "Yes / no" },
  { value: "select", label: "One of a list" },
  { value: "multiselect", label: "Several of a list" },
  { value: "url", label: "Web address" },
  { value: "email", label: "Email address" },
];

/** "Ticket size (USD)" -> "ticket_size_usd": a key the API accepts, from the label. */
export function keyFromLabel(label: string): string {
  const key = label
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^[^a-z]+|_+$/g, "")
    .slice(0, 50);
  return key;
}

export function AddColumnDialog({ open, onClose, onAdded }: { open: boolean; onClose: () => void; onAdded: (label: string) => void }) {
  const [label, setLabel] = useState("");
  const [key, setKey] = useState("");
  const [type, setType] = useState<FieldType>("text");
  const [options, setOptions] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function close() {
    setLabel("");
    setKey("");
    setOptions("");
    setErrors({});
    setProblem(null);
    onClose();
  }

  async function submit(event: SyntheticEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    try {
      const listed = options
        .split(/[;,\n]/)
        .map((option) => option.trim())
        .filter(Boolean);
      await unwrap(
        api.POST("/api/grid/columns", {
          params: { header: { "Idempotency-Key": crypto.randomUUID() } },
          body: { key: key || keyFromLabel(label), label, type, options: type === "select" || type === "multiselect" ? listed : [] },
        }),
      );
      onAdded(label);
      close();
    } catch (error) {
      if (error instanceof ApiError) {
        setErrors(error.fieldErrors());
        setProblem(Object.keys(error.fieldErrors()).length === 0 ? error.message : null);
      } else {
        setProblem("The column could not be added.");
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open={open} title="Add a column" onClose={close}>
      <form className="form" onSubmit={(event) => void submit(event)}>
        <TextField label="Label" value={label} onChange={(event) => setLabel(event.target.value)} required maxLength={100} error={errors.label} autoFocus />
        <TextField
          label="Key"
          value={key}
          placeholder={keyFromLabel(label) || "region"}
          onChange={(event) => setKey(event.target.value)}
          hint="Lower-case letters, digits and _; it never changes. Left empty, it comes from the label."
          error={errors.key}
        />
        <SelectField label="Type" value={type} onChange={(event) => setType(event.target.value as FieldType)} options={TYPES} error={errors.type} />
        {(type === "select" || type === "multiselect") && (
          <TextField label="Options" value={options} onChange={(event) => setOptions(event.target.value)} hint="Separated by commas" error={errors.options} />
        )}
        {problem && (
          <div className="form__error" role="alert">
            {problem}
          </div>
        )}
        <div className="form__actions">
          <Button onClick={close}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={busy}>
            Add column
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
