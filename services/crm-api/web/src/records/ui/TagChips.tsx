import type { TagRef } from "../types";

/** A record's tags as coloured chips (the colour is a dot: text keeps the theme's contrast). */
export function TagChips({ tags }: { tags: TagRef[] }) {
  if (tags.length === 0) return null;
  return (
    <span className="records-tags">
      {tags.map((tag) => (
        <span key={tag.id} className="badge records-tag">
          <span className="records-tag__dot" style={{ background: tag.color }} aria-hidden="true" />
          {tag.name}
        </span>
      ))}
    </span>
  );
}
