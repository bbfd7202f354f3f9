import { Link } from "react-router";

import { Button } from "../../ui/Button";
import { useSoftDelete, type RecordKind } from "../softDelete";

/** Edit and Delete for a live row; Restore for a deleted one. */
export function RowActions({ kind, id, label, deleted, editTo }: { kind: RecordKind; id: string; label: string; deleted: boolean; editTo: string }) {
  const { remove, restore } = useSoftDelete(kind);
  if (deleted) {
    return (
      <Button small onClick={() => restore.mutate({ id, label })} disabled={restore.isPending} aria-label={`Restore ${label}`}>
        Restore
      </Button>
    );
  }
  return (
    <span className="row records-actions">
      <Link className="btn btn--small" to={editTo} aria-label={`Edit ${label}`}>
        Edit
      </Link>
      <Button small variant="danger" onClick={() => remove.mutate({ id, label })} disabled={remove.isPending} aria-label={`Delete ${label}`}>
        Delete
      </Button>
    </span>
  );
}
