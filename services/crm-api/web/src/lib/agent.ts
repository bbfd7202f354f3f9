/** A session's user agent in words: "Chrome on Linux", or the script's own name. */
export function describeUserAgent(userAgent: string | null | undefined): string {
  if (!userAgent) return "Unknown device";
  const browsers: [RegExp, string][] = [
    [/Edg\//, "Edge"],
    [/Firefox\//, "Firefox"],
    [/HeadlessChrome\//, "Headless Chrome"],
    [/Chrome\//, "Chrome"],
    [/Safari\//, "Safari"],
  ];
  const systems: [RegExp, string][] = [
    [/Windows/, "Windows"],
    [/Mac OS X|Macintosh/, "macOS"],
    [/Android/, "Android"],
    [/iPhone|iPad/, "iOS"],
    [/Linux/, "Linux"],
  ];
  const browser = browsers.find(([pattern]) => pattern.test(userAgent))?.[1];
  const system = systems.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (browser) return system ? `${browser} on ${system}` : browser;
  // A script or an SDK: its product token ("python-httpx/0.28") names it well enough.
  return userAgent.split(/[\s(]/)[0] ?? userAgent;
}
