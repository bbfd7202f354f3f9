import { displayValue, fieldLabel, type DiffRow } from "./diff";

const KIND_LABEL = { added: "added", removed: "removed", changed: "changed", same: "" } as const;

/** Before and after, field by field; every value is rendered as text. */
export function DiffTable({ rows, caption, showBefore = true }: { rows: DiffRow[]; caption: string; showBefore?: boolean }) {
  if (rows.length === 0) return <p className="muted">No field changes.</p>;
  return (
    <div className="table-wrap">
      <table className="table diff-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            {showBefore && <th scope="col">Before</th>}
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.field} className={`diff-row diff-row--${row.kind}`}>
              <th scope="row">
                {fieldLabel(row.field)}
                {row.kind !== "same" && <span className="visually-hidden"> ({KIND_LABEL[row.kind]})</span>}
              </th>
              {showBefore && (
                <td className="diff-cell diff-cell--before">
                  <span>{displayValue(row.before)}</span>
                </td>
              )}
              <td className="diff-cell diff-cell--after">
                <span>{displayValue(row.after)}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
