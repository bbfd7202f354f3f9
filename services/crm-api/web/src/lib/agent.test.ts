import { describe, expect, it } from "vitest";

import { describeUserAgent } from "./agent";

describe("describeUserAgent", () => {
  it("names the browser and the system", () => {
    const chrome =
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
    expect(describeUserAgent(chrome)).toBe("Chrome on Linux");
    const firefox = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:130.0) Gecko/20100101 Firefox/130.0";
    expect(describeUserAgent(firefox)).toBe("Firefox on macOS");
  });

  it("names a script by its product token", () => {
    expect(describeUserAgent("python-httpx2/2.16.2")).toBe("python-httpx2/2.16.2");
    expect(describeUserAgent(null)).toBe("Unknown device");
  });
});
