import { useEffect, useId, useState } from "react";

/**
 * A search box that applies what is typed after a short pause (or on Enter), so a list is not
 * fetched on every keystroke. Outside changes (a saved view) replace what it shows.
 */
export function SearchField({
  label,
  value,
  onChange,
  placeholder,
  delay = 300,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  delay?: number;
}) {
  const id = useId();
  const [text, setText] = useState(value);
  const [applied, setApplied] = useState(value);
  if (value !== applied) {
    setApplied(value);
    setText(value);
  }
  useEffect(() => {
    if (text === applied) return;
    const timer = window.setTimeout(() => {
      setApplied(text);
      onChange(text);
    }, delay);
    return () => window.clearTimeout(timer);
  }, [text, applied, onChange, delay]);
  return (
    <div className="field field--wide">
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        className="input"
        type="search"
        value={text}
        placeholder={placeholder}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Enter") {
            setApplied(text);
            onChange(text);
          }
        }}
      />
    </div>
  );
}
