import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "./env";

const valid = {
  DATABASE_URL: "postgresql://saas:pw@127.0.0.1:5432/saas",
  REDIS_URL: "redis://127.0.0.1:6379/0",
  DOCKER_HOST: "unix:///run/odoo-saas/podman.sock",
  POOL_DB_HOST: "127.0.0.1",
  POOL_DB_CONTAINER_HOST: "host.containers.internal",
  POOL_DB_MANAGER_USER: "saas_pool",
  POOL_DB_MANAGER_PASSWORD: "a-long-enough-secret",
  AUTH_SECRET: "x".repeat(32),
  SECRETS_KEY: "ab".repeat(32),
  ADMIN_EMAIL: "admin@example.com",
  METRICS_TOKEN: "m".repeat(32),
};

function issuesOf(source: Record<string, string | undefined>): string[] {
  try {
    parseEnv(source);
  } catch (error) {
    if (error instanceof EnvError) return error.issues;
    throw error;
  }
  return [];
}

describe("parseEnv", () => {
  it("accepts a complete environment and applies defaults", () => {
    const env = parseEnv(valid);
    expect(env.POOL_DB_PORT).toBe(5432);
    expect(env.ODOO_SERIES).toEqual(["17.0", "18.0"]);
    expect(env.ODOO_IMAGE).toBe("odoo");
  });

  it("names a missing variable", () => {
    expect(issuesOf({ ...valid, DATABASE_URL: undefined })).toEqual(["DATABASE_URL is missing"]);
  });

  it("names a malformed variable and says what is expected", () => {
    expect(issuesOf({ ...valid, REDIS_URL: "localhost:6379" })).toEqual([
      "REDIS_URL must be a URL starting with redis:// or rediss://",
    ]);
    expect(issuesOf({ ...valid, SECRETS_KEY: "short" })[0]).toMatch(/^SECRETS_KEY must be 64 hexadecimal/);
    expect(issuesOf({ ...valid, POOL_DB_MANAGER_USER: "postgres" })[0]).toMatch(/^POOL_DB_MANAGER_USER must not be/);
    expect(issuesOf({ ...valid, ODOO_SERIES: "17.0,latest" })[0]).toMatch(/^ODOO_SERIES/);
  });

  it("reports every bad variable at once", () => {
    expect(issuesOf({ ...valid, DATABASE_URL: undefined, AUTH_SECRET: "short" })).toHaveLength(2);
  });

  it("never echoes a secret value in its message", () => {
    const message = issuesOf({ ...valid, POOL_DB_MANAGER_PASSWORD: "tiny" }).join("\n");
    expect(message).not.toContain("tiny");
  });
});

describe("routing", () => {
  it("needs BASE_DOMAIN with traefik routing", () => {
    expect(issuesOf({ ...valid, ROUTING: "traefik" })).toEqual(["BASE_DOMAIN is required when ROUTING=traefik"]);
    expect(parseEnv({ ...valid, ROUTING: "traefik", BASE_DOMAIN: "odoo.example.com" }).ROUTING).toBe("traefik");
  });
});

describe("TRUSTED_PROXIES", () => {
  it("trusts no proxy by default", () => {
    expect(parseEnv(valid).TRUSTED_PROXIES).toEqual([]);
  });

  it("takes IPv4 and IPv6 addresses and CIDR ranges, separated by commas or spaces", () => {
    expect(parseEnv({ ...valid, TRUSTED_PROXIES: "127.0.0.1, 10.0.0.0/8 ::1 fd00::/8" }).TRUSTED_PROXIES).toEqual([
      "127.0.0.1",
      "10.0.0.0/8",
      "::1",
      "fd00::/8",
    ]);
  });

  it("names the variable and the bad entry", () => {
    expect(issuesOf({ ...valid, TRUSTED_PROXIES: "127.0.0.1, proxy.internal" })).toEqual([
      'TRUSTED_PROXIES has a bad entry "proxy.internal": expected an IP address or a CIDR range such as 10.0.0.0/8 or fd00::/8',
    ]);
    expect(issuesOf({ ...valid, TRUSTED_PROXIES: "10.0.0.0/33" })[0]).toMatch(/^TRUSTED_PROXIES has a bad entry "10.0.0.0\/33"/);
  });
});
