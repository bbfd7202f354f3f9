import { Link } from "react-router";

import { recordPath, shortId, typeLabel } from "./labels";

/**
 * "contact …1dc392", linked to its page where the app has one. The full id is on hover and, for
 * screen readers, after the visible text (so the accessible name still starts with what is seen).
 */
export function RecordLink({ type, id }: { type: string; id: string }) {
  const short = shortId(id);
  const text = (
    <>
      <span className="muted">{typeLabel(type)}</span> <span className="mono">{short}</span>
      {short !== id && <span className="visually-hidden"> (id {id})</span>}
    </>
  );
  const path = recordPath(type, id);
  return path ? (
    <Link to={path} title={id}>
      {text}
    </Link>
  ) : (
    <span title={id}>{text}</span>
  );
}
