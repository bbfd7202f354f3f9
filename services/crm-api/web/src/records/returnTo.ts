/** Where a form goes back to: the `return` query parameter when it is a path of this app. */
export function returnTo(params: URLSearchParams, fallback: string): string {
  const value = params.get("return");
  return value?.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\") ? value : fallback;
}
