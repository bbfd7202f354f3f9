/** Numbers, money and dates in the user's locale (the browser's). */
const locale = typeof navigator === "undefined" ? "en-US" : navigator.language;

const money = new Map<string, Intl.NumberFormat>();

export function formatMoney(amount: number | string | null | undefined, currency = "USD"): string {
  if (amount === null || amount === undefined || amount === "") return "—";
  const value = typeof amount === "string" ? Number(amount) : amount;
  if (!Number.isFinite(value)) return "—";
  let format = money.get(currency);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: "currency", currency, maximumFractionDigits: 0 });
    money.set(currency, format);
  }
  return format.format(value);
}

const compact = new Intl.NumberFormat(locale, { notation: "compact", maximumFractionDigits: 1 });

export function formatCompactMoney(amount: number | string | null | undefined, currency = "USD"): string {
  if (amount === null || amount === undefined || amount === "") return "—";
  const value = typeof amount === "string" ? Number(amount) : amount;
  if (!Number.isFinite(value)) return "—";
  const symbol = currency === "USD" ? "$" : `${currency} `;
  return `${symbol}${compact.format(value)}`;
}

const number = new Intl.NumberFormat(locale);

export function formatNumber(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : number.format(value);
}

const date = new Intl.DateTimeFormat(locale, { dateStyle: "medium" });
const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });

function parse(value: string | Date | null | undefined): Date | null {
  if (!value) return null;
  const parsed = value instanceof Date ? value : new Date(value);
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

export function formatDate(value: string | Date | null | undefined): string {
  const parsed = parse(value);
  return parsed ? date.format(parsed) : "—";
}

export function formatDateTime(value: string | Date | null | undefined): string {
  const parsed = parse(value);
  return parsed ? dateTime.format(parsed) : "—";
}

const relative = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });

/** "3 days ago", "in 2 hours": for timelines and due dates. */
export function formatRelative(value: string | Date | null | undefined, now = new Date()): string {
  const parsed = parse(value);
  if (!parsed) return "—";
  const seconds = (parsed.getTime() - now.getTime()) / 1000;
  const units: [Intl.RelativeTimeFormatUnit, number][] = [
    ["year", 31536000],
    ["month", 2592000],
    ["week", 604800],
    ["day", 86400],
    ["hour", 3600],
    ["minute", 60],
  ];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return relative.format(Math.round(seconds), "second");
}
