import { Link } from "react-router";

import { recordPath, shortId, typeLabel } from "./labels";

/** "contact …1dc392", linked to its page where the app has one; the full id on hover. */
export function RecordLink({ type, id }: { type: string; id: string }) {
  const path = recordPath(type, id);
  const text = (
    <>
      <span className="muted">{typeLabel(type)}</span> <span className="mono">{shortId(id)}</span>
    </>
  );
  return path ? (
    <Link to={path} title={id} aria-label={`${typeLabel(type)} ${id}`}>
      {text}
    </Link>
  ) : (
    <span title={id}>{text}</span>
  );
}
