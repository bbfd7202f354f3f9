/** Export of a list's current view: GET /api/export/<kind> with its filters, saved as a file. */
import { fetchRaw } from "../../api/client";
import type { ExportFormat } from "../types";

/** The file name a Content-Disposition header proposes, if any (RFC 6266, both forms). */
export function filenameFrom(disposition: string | null): string | null {
  if (!disposition) return null;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition);
  if (extended?.[1]) {
    try {
      return decodeURIComponent(extended[1].trim());
    } catch {
      return null;
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(disposition);
  return plain?.[1]?.trim() ?? null;
}

export function exportUrl(kind: string, query: Record<string, string>, format: ExportFormat): string {
  const params = new URLSearchParams({ ...query, format });
  return `/api/export/${kind}?${params.toString()}`;
}

/** Fetches the export and hands it to the browser as a download. */
export async function downloadExport(kind: string, query: Record<string, string>, format: ExportFormat): Promise<string> {
  const response = await fetchRaw(exportUrl(kind, query, format));
  const blob = await response.blob();
  const today = new Date().toISOString().slice(0, 10);
  const name = filenameFrom(response.headers.get("Content-Disposition")) ?? `${kind}-${today}.${format}`;
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}
