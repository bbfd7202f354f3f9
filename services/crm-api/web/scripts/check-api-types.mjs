// Fails when src/api/schema.d.ts differs from what openapi-typescript makes of crm-api's committed
// OpenAPI document (which a Python test keeps equal to the running app's): the client can't drift.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const root = new URL("..", import.meta.url);
const spec = new URL("../openapi.json", root);
const committed = readFileSync(fileURLToPath(new URL("src/api/schema.d.ts", root)), "utf8");
const ast = await openapiTS(spec);
const fresh = astToString(ast);
// The CLI writes a banner comment above what the library returns.
const normalise = (text) => text.replace(/\r\n/g, "\n").replace(/^\/\*\*[\s\S]*?\*\/\s*/, "").trim();
if (normalise(fresh) !== normalise(committed)) {
  console.error("src/api/schema.d.ts is out of date: run `npm run api-types` in services/crm-api/web");
  process.exit(1);
}
console.log("src/api/schema.d.ts matches ../openapi.json");
