import { formatNumber } from "../../lib/format";
import { Button } from "../../ui/Button";

/** Previous / next over keyset pages, with where we are and how many there are (when known). */
export function Pager<C>({
  page,
  hasPrev,
  nextCursor,
  onPrev,
  onNext,
  total,
  shown,
  label = "Pages",
}: {
  page: number;
  hasPrev: boolean;
  nextCursor: C | null | undefined;
  onPrev: () => void;
  /** called with the next page's cursor, only when there is one */
  onNext: (cursor: C) => void;
  total?: number | undefined;
  shown: number;
  label?: string;
}) {
  const hasNext = nextCursor !== null && nextCursor !== undefined;
  const next = () => {
    if (nextCursor !== null && nextCursor !== undefined) onNext(nextCursor);
  };
  if (!hasPrev && !hasNext && total === undefined) return null;
  return (
    <nav className="pager" aria-label={label}>
      <span className="muted">
        Page {formatNumber(page)}
        {total !== undefined && ` · ${formatNumber(total)} in all`}
        {shown > 0 && total === undefined && ` · ${formatNumber(shown)} shown`}
      </span>
      <div className="row">
        <Button small disabled={!hasPrev} onClick={onPrev}>
          ← Newer
        </Button>
        <Button small disabled={!hasNext} onClick={next}>
          Older →
        </Button>
      </div>
    </nav>
  );
}
