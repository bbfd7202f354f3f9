/** File sizes in the user's locale: 1536 → "1.5 KB". */
const units = ["B", "KB", "MB", "GB", "TB"];

export function formatBytes(size: number, locale?: string): string {
  if (!Number.isFinite(size) || size < 0) return "—";
  let value = size;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value)} ${units[unit] ?? "B"}`;
}
