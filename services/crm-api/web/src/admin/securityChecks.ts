/** GET /api/security/status as a checklist: each line good, worth a look, or for information. */
import type { components } from "../api/schema";

export type SecurityStatus = components["schemas"]["SecurityStatus"];

export interface Check {
  id: string;
  title: string;
  state: "ok" | "warn" | "info";
  detail: string;
  value: string;
}

function bytes(value: number): string {
  if (value >= 1024 * 1024) return `${(value / (1024 * 1024)).toFixed(value % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
  if (value >= 1024) return `${Math.round(value / 1024)} KiB`;
  return `${value} B`;
}

function minutes(value: number): string {
  if (value % 60 === 0) return `${value / 60} h`;
  return `${value} min`;
}

export function securityChecks(status: SecurityStatus): Check[] {
  const production = status.env === "production";
  return [
    {
      id: "env",
      title: "Environment",
      state: production ? "ok" : "warn",
      detail: production ? "Runs in production mode: the strict checks apply." : "Not production: fine for trying out, not for real data.",
      value: status.env,
    },
    {
      id: "secret",
      title: "Secret key",
      state: status.secret_key.length_ok && !status.secret_key.source.startsWith("generated") ? "ok" : status.secret_key.length_ok ? "info" : "warn",
      detail: status.secret_key.length_ok
        ? `Long enough; it comes from ${status.secret_key.source}.`
        : "Shorter than 32 characters: set a longer CRM_API_SECRET_KEY.",
      value: status.secret_key.source,
    },
    {
      id: "tls",
      title: "HTTPS",
      state: status.behind_tls ? "ok" : "warn",
      detail: status.behind_tls
        ? `Served behind TLS${status.hsts ? ", with HSTS" : ", but without HSTS"}.`
        : "Not marked as behind TLS: put HTTPS in front before people sign in over a network.",
      value: status.behind_tls ? (status.hsts ? "TLS + HSTS" : "TLS") : "plain HTTP",
    },
    {
      id: "cors",
      title: "Cross-origin requests",
      state: status.cors_enabled ? "info" : "ok",
      detail: status.cors_enabled
        ? `Allowed from ${status.cors_origins.join(", ")}. Keep this list short.`
        : "Off: only this site's own pages may call the API.",
      value: status.cors_enabled ? `${status.cors_origins.length} origins` : "off",
    },
    {
      id: "proxies",
      title: "Trusted proxies",
      state: "info",
      detail: status.trusted_proxies.length
        ? `X-Forwarded-For is believed from ${status.trusted_proxies.join(", ")}.`
        : "None: client addresses are the peers' own (rate limits count them).",
      value: status.trusted_proxies.length ? status.trusted_proxies.join(", ") : "none",
    },
    {
      id: "sessions",
      title: "Session lifetime",
      state: status.token_ttl_minutes <= 24 * 60 ? "ok" : "warn",
      detail: `A sign-in lasts ${minutes(status.token_ttl_minutes)}${status.token_ttl_minutes > 24 * 60 ? ": longer than a day" : ""}.`,
      value: minutes(status.token_ttl_minutes),
    },
    {
      id: "hashing",
      title: "Password hashing",
      state: status.password_hashing.toLowerCase().includes("argon2") ? "ok" : "warn",
      detail: "How passwords are stored.",
      value: status.password_hashing,
    },
    {
      id: "rate",
      title: "Rate limits",
      state: "ok",
      detail: `Sign-in ${status.rate_limits.login}, writes ${status.rate_limits.write}, reads ${status.rate_limits.read}.`,
      value: status.rate_limits.login,
    },
    {
      id: "body",
      title: "Largest request",
      state: "ok",
      detail: "Bigger request bodies are refused.",
      value: bytes(status.max_body_bytes),
    },
    ...Object.entries(status.integrations).map(
      ([name, on]): Check => ({
        id: `integration-${name}`,
        title: `Integration: ${name.replace(/_/g, " ")}`,
        state: "info",
        detail: on ? "On." : "Off.",
        value: on ? "on" : "off",
      }),
    ),
  ];
}
