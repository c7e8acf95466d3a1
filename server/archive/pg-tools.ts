import { spawn } from "node:child_process";
import { PassThrough, type Readable } from "node:stream";
import type { TenantConnection } from "../db-pool/tenant-client";

/**
 * pg_dump and psql on a tenant database, as child processes with argument arrays (never a shell
 * string) and the password in the environment (never on a command line or in an error).
 */

const STDERR_TAIL = 2_000;

/** Child environment for pg_dump/psql: the password goes in PGPASSWORD, never on a command line. */
function pgEnv(tenant: TenantConnection): NodeJS.ProcessEnv {
  return {
    NODE_ENV: process.env.NODE_ENV,
    PATH: process.env.PATH,
    LANG: "C.UTF-8",
    PGHOST: tenant.host,
    PGPORT: String(tenant.port),
    PGUSER: tenant.user,
    PGPASSWORD: tenant.password,
    PGDATABASE: tenant.database,
    PGCONNECT_TIMEOUT: "10",
    PGAPPNAME: "odoo-saas-backup",
  };
}

/** pg_dump's stderr, without anything that could hold the password. */
function stderrTail(text: string, tenant: TenantConnection): string {
  return text.replaceAll(tenant.password, "[redacted]").trim().slice(-STDERR_TAIL);
}

/**
 * `pg_dump --no-owner` of the tenant database as a stream that fails (instead of ending) when
 * pg_dump exits non-zero, so a broken dump can never end up in an archive that looks whole.
 */
export function pgDumpStream(tenant: TenantConnection): Readable {
  const child = spawn("pg_dump", ["--no-owner", "--format=p", "--no-password"], { env: pgEnv(tenant), stdio: ["ignore", "pipe", "pipe"] });
  const out = new PassThrough();
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL * 2);
  });
  child.stdout.pipe(out, { end: false });
  child.on("error", (error) => out.destroy(new Error(`pg_dump could not run: ${error.message}`)));
  child.on("close", (code, signal) => {
    if (code === 0) out.end();
    else out.destroy(new Error(`pg_dump failed (${signal ?? `exit ${code}`}): ${stderrTail(stderr, tenant)}`));
  });
  // A consumer that gives up (the archive failed elsewhere) must not leave pg_dump running.
  out.on("close", () => {
    if (child.exitCode === null) child.kill("SIGTERM");
  });
  return out;
}

/** Runs `psql` on the tenant database with the stream as its script; stops at the first error. */
export async function psqlRestore(tenant: TenantConnection, script: Readable): Promise<void> {
  const child = spawn("psql", ["--no-psqlrc", "--quiet", "--no-password", "-v", "ON_ERROR_STOP=1", "--single-transaction"], {
    env: pgEnv(tenant),
    stdio: ["pipe", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL * 2);
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve(code));
  });
  script.on("error", () => child.kill("SIGTERM"));
  script.pipe(child.stdin);
  child.stdin.on("error", () => undefined); // psql exiting early closes its stdin: the exit code tells
  const code = await exited;
  if (code !== 0) throw new Error(`psql failed (exit ${code}): ${stderrTail(stderr, tenant)}`);
}
