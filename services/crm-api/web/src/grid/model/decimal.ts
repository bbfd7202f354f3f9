/**
 * Exact money on the client: the API sends amounts as decimal strings ("1250000.00"); sums and
 * moves between columns are done in integer cents (BigInt), never in floating point.
 */

/** "1250000.00" -> 125000000n; null for null or a value that is not a decimal. */
export function toCents(value: string | null | undefined): bigint | null {
  if (value === null || value === undefined) return null;
  const match = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(value.trim());
  if (!match) return null;
  const [, sign, whole = "0", fraction = ""] = match;
  const cents = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, "0"));
  return sign ? -cents : cents;
}

/** 125000000n -> "1250000.00" */
export function fromCents(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  const whole = abs / 100n;
  const fraction = (abs % 100n).toString().padStart(2, "0");
  return `${negative ? "-" : ""}${whole.toString()}.${fraction}`;
}

/** a + b of decimal strings (null counts as zero). */
export function addAmounts(a: string | null | undefined, b: string | null | undefined): string {
  return fromCents((toCents(a) ?? 0n) + (toCents(b) ?? 0n));
}

export function subtractAmounts(a: string | null | undefined, b: string | null | undefined): string {
  return fromCents((toCents(a) ?? 0n) - (toCents(b) ?? 0n));
}

/**
 * What a person typed or pasted as an amount, to the API's exact decimal: "$2,500,000",
 * "2 500 000,50", "1.5m". Returns null for an empty text and undefined for text that is not an
 * amount.
 */
export function parseAmount(text: string): string | null | undefined {
  let value = text.trim().replace(/^[A-Z]{3}\s*/i, "").replace(/[$€£¥\s\u00a0']/g, "");
  if (value === "" || value === "-" || value === "—") return null;
  let scale = 1n;
  const suffix = /([kmb])$/i.exec(value);
  if (suffix?.[1]) {
    scale = { k: 1_000n, m: 1_000_000n, b: 1_000_000_000n }[suffix[1].toLowerCase() as "k" | "m" | "b"];
    value = value.slice(0, -1);
  }
  const lastDot = value.lastIndexOf(".");
  const lastComma = value.lastIndexOf(",");
  if (lastDot >= 0 && lastComma >= 0) {
    // Both: the later one is the decimal separator ("1,234.56" or "1.234,56").
    const decimal = lastDot > lastComma ? "." : ",";
    const group = decimal === "." ? "," : ".";
    value = value.split(group).join("").replace(decimal, ".");
  } else if (lastComma >= 0) {
    // Only commas: grouping when each group has three digits ("1,000,000"), else a decimal comma.
    value = /^\d{1,3}(,\d{3})+$/.test(value) ? value.split(",").join("") : value.replace(",", ".");
  } else if (lastDot >= 0 && /^\d{1,3}(\.\d{3}){2,}$/.test(value)) {
    value = value.split(".").join("");
  }
  const match = /^(\d+)(?:\.(\d*))?$/.exec(value);
  if (!match) return undefined;
  const [, whole = "0", fraction = ""] = match;
  // Scale before rounding to cents: "1.5m" is 1,500,000.00 exactly.
  const digits = fraction.length;
  const raw = BigInt(whole + fraction) * scale;
  const divisor = 10n ** BigInt(digits);
  const cents = (raw * 100n) / divisor;
  if ((raw * 100n) % divisor !== 0n) return undefined;
  return fromCents(cents);
}
