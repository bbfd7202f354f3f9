import { describe, expect, it } from "vitest";

import { keyFromLabel } from "./AddColumnDialog";

describe("keyFromLabel", () => {
  it("makes a key the API accepts", () => {
    expect(keyFromLabel("Ticket size (USD)")).toBe("ticket_size_usd");
    expect(keyFromLabel("Région")).toBe("region");
    expect(keyFromLabel("2nd contact")).toBe("nd_contact");
  });
});
