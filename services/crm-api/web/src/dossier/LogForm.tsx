import type { SyntheticEvent } from "react";

import { Button } from "../ui/Button";
import { SelectField, TextArea, TextField } from "../ui/Field";
import { AttendeePicker } from "./AttendeePicker";
import { isSubmitShortcut, type Attendee, type LogDraft } from "./logDraft";

export interface Option {
  value: string;
  label: string;
}

const IS_MAC = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.userAgent);
export const SHORTCUT_LABEL = IS_MAC ? "⌘ Enter" : "Ctrl+Enter";

/**
 * Logging a call, meeting, note or email: one form, sent with Ctrl/Cmd+Enter from any field.
 * Presentational: the draft and the server's field errors come from the caller, so what the
 * user typed stays when the server refuses it.
 */
export function LogForm({
  draft,
  onChange,
  onSubmit,
  types,
  opportunities,
  owners,
  suggestions,
  errors,
  formError,
  pending,
}: {
  draft: LogDraft;
  onChange: (draft: LogDraft) => void;
  onSubmit: () => void;
  types: readonly Option[];
  opportunities: readonly Option[];
  owners: readonly Option[];
  suggestions: readonly Attendee[];
  errors: Record<string, string>;
  formError: string | null;
  pending: boolean;
}) {
  const set = <K extends keyof LogDraft>(key: K, value: LogDraft[K]) => onChange({ ...draft, [key]: value });
  const submit = (event?: SyntheticEvent) => {
    event?.preventDefault();
    if (!pending) onSubmit();
  };
  return (
    <form
      className="form log-form"
      aria-label="Log an interaction"
      onSubmit={submit}
      onKeyDown={(event) => {
        if (isSubmitShortcut(event)) {
          event.preventDefault();
          submit();
        }
      }}
    >
      {formError && (
        <div className="form__error" role="alert">
          {formError}
        </div>
      )}
      <div className="form__row">
        <SelectField label="Kind" options={types} value={draft.type} onChange={(e) => set("type", e.target.value)} error={errors.type} />
        <TextField
          label="When"
          type="datetime-local"
          required
          value={draft.occurredAt}
          onChange={(e) => set("occurredAt", e.target.value)}
          error={errors.occurred_at}
        />
        {opportunities.length > 0 && (
          <SelectField
            label="Opportunity"
            options={[{ value: "", label: "None" }, ...opportunities]}
            value={draft.opportunityId}
            onChange={(e) => set("opportunityId", e.target.value)}
            error={errors.opportunity_id}
          />
        )}
      </div>
      <TextField label="Subject" value={draft.subject} onChange={(e) => set("subject", e.target.value)} error={errors.subject} maxLength={500} />
      <TextArea label="Notes" value={draft.body} onChange={(e) => set("body", e.target.value)} error={errors.body} rows={3} />
      <div className="log-form__extras">
        <AttendeePicker value={draft.attendees} onChange={(next) => set("attendees", next)} suggestions={suggestions} error={errors.attendee_ids} />
        <label className="checkbox">
          <input type="checkbox" checked={draft.followUp} onChange={(e) => set("followUp", e.target.checked)} />
          Create a follow-up
        </label>
      </div>
      {draft.followUp && (
        <div className="form__row">
          <TextField
            label="Next action"
            required
            value={draft.nextAction}
            onChange={(e) => set("nextAction", e.target.value)}
            error={errors.next_action ?? errors.create_follow_up}
          />
          <TextField label="Due" type="date" required value={draft.nextActionDue} onChange={(e) => set("nextActionDue", e.target.value)} error={errors.next_action_due} />
          <SelectField label="Owner" options={owners} value={draft.followUpOwnerId} onChange={(e) => set("followUpOwnerId", e.target.value)} error={errors.follow_up_owner_id} />
        </div>
      )}
      <div className="form__actions">
        <span className="muted log-form__hint">
          <kbd>{SHORTCUT_LABEL}</kbd> to save
        </span>
        <Button type="submit" variant="primary" disabled={pending}>
          {pending ? "Saving…" : "Log it"}
        </Button>
      </div>
    </form>
  );
}
