import { useState } from "react";

import { Button } from "../../ui/Button";

/** Copies a value with the Clipboard API and says so (or says to copy by hand). */
export function CopyButton({ value, label = "Copy" }: { value: string; label?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  return (
    <>
      <Button
        small
        onClick={() => {
          const clipboard = typeof navigator === "undefined" ? undefined : navigator.clipboard as Clipboard | undefined;
          if (!clipboard) {
            setState("failed");
            return;
          }
          clipboard.writeText(value).then(
            () => setState("copied"),
            () => setState("failed"),
          );
        }}
      >
        {state === "copied" ? "Copied" : label}
      </Button>
      <span className="visually-hidden" role="status">
        {state === "copied" ? "Copied to the clipboard" : state === "failed" ? "Could not copy: select the text and copy it" : ""}
      </span>
      {state === "failed" && <span className="field__error">Copy it by hand: select the text.</span>}
    </>
  );
}
