import { useQuery } from "@tanstack/react-query";
import { useDeferredValue, useId, useState } from "react";

import { api, unwrap } from "../api/client";
import { Button } from "../ui/Button";
import type { Attendee } from "./logDraft";
import { contactName } from "../api/names";

/**
 * Attendees: the people suggested for this record (its colleagues) as one-click additions,
 * and a search over every contact for anyone else. Chosen ones show as removable chips.
 */
export function AttendeePicker({
  value,
  onChange,
  suggestions,
  error,
}: {
  value: readonly Attendee[];
  onChange: (next: Attendee[]) => void;
  suggestions: readonly Attendee[];
  error?: string | undefined;
}) {
  const id = useId();
  const [q, setQ] = useState("");
  const deferred = useDeferredValue(q.trim());
  const results = useQuery({
    queryKey: ["contacts", { q: deferred, limit: 6 }],
    queryFn: () => unwrap(api.GET("/api/contacts", { params: { query: { q: deferred, limit: 6 } } })),
    enabled: deferred.length >= 2,
  });
  const chosen = new Set(value.map((attendee) => attendee.id));
  const add = (attendee: Attendee) => {
    if (!chosen.has(attendee.id)) onChange([...value, attendee]);
    setQ("");
  };
  const found = (results.data?.items ?? []).map((contact) => ({ id: contact.id, label: contactName(contact) }));
  const offers = (deferred.length >= 2 ? found : suggestions).filter((attendee) => !chosen.has(attendee.id));

  return (
    <fieldset className="field attendees">
      <legend className="field__label">Attendees</legend>
      {value.length > 0 && (
        <ul className="chips" aria-label="Chosen attendees">
          {value.map((attendee) => (
            <li key={attendee.id} className="chip">
              {attendee.label}
              <button
                type="button"
                className="chip__remove"
                aria-label={`Remove ${attendee.label}`}
                onClick={() => onChange(value.filter((a) => a.id !== attendee.id))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <label className="visually-hidden" htmlFor={id}>
        Find a contact to add
      </label>
      <input
        id={id}
        className="input"
        type="search"
        placeholder="Find a contact to add…"
        value={q}
        onChange={(event) => setQ(event.target.value)}
        onKeyDown={(event) => {
          const first = offers[0];
          if (event.key === "Enter" && !event.ctrlKey && !event.metaKey && first) {
            event.preventDefault();
            add(first);
          }
        }}
        aria-invalid={error ? true : undefined}
      />
      {offers.length > 0 && (
        <div className="row" aria-label={deferred.length >= 2 ? "Matching contacts" : "Suggested"} role="group">
          {offers.map((attendee) => (
            <Button key={attendee.id} small variant="ghost" onClick={() => add(attendee)}>
              + {attendee.label}
            </Button>
          ))}
        </div>
      )}
      {deferred.length >= 2 && results.isSuccess && found.length === 0 && <span className="field__hint">No contact matches “{deferred}”.</span>}
      {error && (
        <span className="field__error" role="alert">
          {error}
        </span>
      )}
    </fieldset>
  );
}
