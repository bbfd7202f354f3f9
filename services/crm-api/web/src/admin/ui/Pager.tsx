import { formatNumber } from "../../lib/format";
import { Button } from "../../ui/Button";

/** Previous / next over keyset pages, with where we are and how many there are (when known). */
export function Pager({
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
  nextCursor: unknown;
  onPrev: () => void;
  onNext: () => void;
  total?: number | undefined;
  shown: number;
  label?: string;
}) {
  const hasNext = nextCursor !== null && nextCursor !== undefined;
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
        <Button small disabled={!hasNext} onClick={onNext}>
          Older →
        </Button>
      </div>
    </nav>
  );
}
