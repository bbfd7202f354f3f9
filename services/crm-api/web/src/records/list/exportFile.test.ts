import { describe, expect, it } from "vitest";

import { exportUrl, filenameFrom } from "./exportFile";

describe("export", () => {
  it("keeps the list's filters and adds the format", () => {
    expect(exportUrl("contacts", { q: "ada", country: "DE" }, "csv")).toBe("/api/export/contacts?q=ada&country=DE&format=csv");
  });

  it("asks for an XLSX of the LP profiles matching a search", () => {
    expect(exportUrl("lp-profiles", { q: "harbor" }, "xlsx")).toBe("/api/export/lp-profiles?q=harbor&format=xlsx");
  });

  it("takes the server's file name", () => {
    expect(filenameFrom("attachment; filename=contacts-2026-06-01.csv")).toBe("contacts-2026-06-01.csv");
    expect(filenameFrom('attachment; filename="a b.csv"')).toBe("a b.csv");
    expect(filenameFrom("attachment; filename*=UTF-8''M%C3%BCller.csv")).toBe("Müller.csv");
    expect(filenameFrom(null)).toBeNull();
  });
});
