import { describe, expect, it } from "vitest";

import { formatBytes } from "./backupsFormat";
import { securityChecks, type SecurityStatus } from "./securityChecks";
import { filterUsers } from "./users";

const status: SecurityStatus = {
  env: "development",
  secret_key: { source: "generated (development)", length_ok: true },
  token_ttl_minutes: 720,
  password_hashing: "argon2id m=47104KiB t=1 p=1",
  cors_origins: [],
  cors_enabled: false,
  trusted_proxies: [],
  behind_tls: false,
  hsts: false,
  rate_limits: { login: "10/minute", write: "300/minute", read: "1200/minute" },
  max_body_bytes: 1048576,
  integrations: { gmail: false },
};

describe("security checklist", () => {
  it("flags development mode and plain HTTP, and passes the rest", () => {
    const checks = Object.fromEntries(securityChecks(status).map((c) => [c.id, c]));
    expect(checks.env?.state).toBe("warn");
    expect(checks.tls?.state).toBe("warn");
    expect(checks.cors?.state).toBe("ok");
    expect(checks.hashing?.state).toBe("ok");
    expect(checks.body?.value).toBe("1 MiB");
    expect(checks.sessions?.value).toBe("12 h");
    expect(checks["integration-gmail"]?.value).toBe("off");
  });

  it("is all good in production behind TLS with an environment key", () => {
    const prod = { ...status, env: "production", behind_tls: true, hsts: true, secret_key: { source: "environment", length_ok: true } };
    expect(securityChecks(prod).filter((c) => c.state === "warn")).toEqual([]);
  });
});

describe("users list", () => {
  const user = (patch: object) => ({
    id: "1",
    username: "a",
    email: null,
    display_name: "A",
    role: "member",
    is_active: true,
    created_at: "2026-01-01T00:00:00Z",
    last_login_at: null,
    ...patch,
  });
  const users = [
    user({ id: "1", display_name: "Zoe", username: "zoe", role: "admin" }),
    user({ id: "2", display_name: "Adam", username: "adam", email: "adam@fund.example", last_login_at: "2026-12-01T00:00:00Z" }),
    user({ id: "3", display_name: "Old", username: "old", is_active: false }),
  ];

  it("searches names, usernames and emails, and hides the deactivated by default", () => {
    expect(filterUsers(users, { q: "fund.example", role: "", status: "active", sort: "name" }).map((u) => u.id)).toEqual(["2"]);
    expect(filterUsers(users, { q: "", role: "", status: "active", sort: "name" }).map((u) => u.id)).toEqual(["2", "1"]);
    expect(filterUsers(users, { q: "", role: "", status: "inactive", sort: "name" }).map((u) => u.id)).toEqual(["3"]);
    expect(filterUsers(users, { q: "", role: "admin", status: "all", sort: "name" }).map((u) => u.id)).toEqual(["1"]);
  });

  it("sorts by last sign-in, never-signed-in last", () => {
    expect(filterUsers(users, { q: "", role: "", status: "all", sort: "-last_login" }).map((u) => u.id)).toEqual(["2", "3", "1"]);
  });
});

describe("formatBytes", () => {
  it("reads like a file size", () => {
    expect(formatBytes(512, "en-US")).toBe("512 B");
    expect(formatBytes(1536, "en-US")).toBe("1.5 KB");
    expect(formatBytes(250 * 1024 * 1024, "en-US")).toBe("250 MB");
    expect(formatBytes(-1)).toBe("—");
  });
});
