/** Saving the grid as it is set up now (list, search, sort, amount) as a personal or shared view. */
import { useState, type SyntheticEvent } from "react";

import { ApiError } from "../api/problem";
import { Button } from "../ui/Button";
import { Dialog } from "../ui/Dialog";
import { TextField } from "../ui/Field";

export function SaveViewDialog({
  open,
  onClose,
  onSave,
}: {
  open: boolean;
  onClose: () => void;
  onSave: (name: string, shared: boolean) => Promise<void>;
}) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: SyntheticEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const name = data.get("name");
    setBusy(true);
    try {
      await onSave(typeof name === "string" ? name : "", data.get("shared") === "on");
      setErrors({});
      setProblem(null);
      onClose();
    } catch (error) {
      if (error instanceof ApiError) {
        setErrors(error.fieldErrors());
        setProblem(Object.keys(error.fieldErrors()).length === 0 ? error.message : null);
      } else {
        setProblem("The view could not be saved.");
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open={open} title="Save this view" onClose={onClose}>
      <form className="form" onSubmit={(event) => void submit(event)}>
        <TextField label="Name" name="name" required maxLength={200} error={errors.name} autoFocus />
        <label className="row">
          <input type="checkbox" name="shared" /> Share it with the team
        </label>
        {problem && (
          <div className="form__error" role="alert">
            {problem}
          </div>
        )}
        <div className="form__actions">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={busy}>
            Save view
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
