import { useMemo } from "react";

import { highlight } from "./highlight";

/** A snippet with the query's words in <mark>: React text nodes only, whatever the text holds. */
export function Highlight({ text, terms }: { text: string; terms: readonly string[] }) {
  const segments = useMemo(() => highlight(text, terms), [text, terms]);
  return (
    <>
      {segments.map((segment, index) =>
        segment.match ? <mark key={index}>{segment.text}</mark> : <span key={index}>{segment.text}</span>,
      )}
    </>
  );
}
