/** A JSON value, pretty-printed, as text (never markup). */
export function JsonBlock({ value, label }: { value: unknown; label?: string }) {
  return (
    <pre className="json-block" aria-label={label} tabIndex={0}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}
