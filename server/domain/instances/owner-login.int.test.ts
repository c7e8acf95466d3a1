import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { withTenantClient } from "@/server/db-pool/tenant-client";
import { redis } from "@/server/redis";
import { callerFor, createTestUser } from "@/testing/accounts";
import { payOpenInvoiceOf } from "@/testing/billing";
import { eventually, statusOf, uniqueSubdomain } from "@/testing/instances";
import { startJobWorkers } from "@/testing/job-workers";
import { odooCommonLogin, odooFormLogin } from "@/testing/odoo-client";
import { rotateDefaultPasswords } from "./odoo-admin-password";
import { hashOdooPassword } from "./odoo-password";
import { tenantConnection } from "./tenant-connection";

/**
 * The customer's own Odoo, as they get it: real containers of the Odoo test image (which checks
 * logins like Odoo 17), a real pool server, the worker's own job processors. Whatever path made
 * the database, admin/admin never logs in and the owner's email and password do.
 */
let workers: ReturnType<typeof startJobWorkers>;
const series = () => (process.env.ODOO_SERIES ?? "17.0,18.0").split(",")[0]!.trim();
type Caller = Awaited<ReturnType<typeof callerFor>>["caller"];

const OWNER_PASSWORD = "Owner-Odoo-Pass-7341!";
const RESET_PASSWORD = "Second-Odoo-Pass-9902?";
const RESTORE_PASSWORD = "Restored-Odoo-Pass-5518#";

beforeAll(() => {
  workers = startJobWorkers();
});

afterAll(async () => {
  await workers.stop();
});

async function waitFor<T>(what: string, check: () => Promise<T | null | undefined>, withinMs = 60_000): Promise<T> {
  const found = await eventually(async () => (await check()) ?? null, withinMs);
  if (found === null) throw new Error(`timed out waiting for ${what}`);
  return found;
}

const untilRunning = (id: string) => waitFor(`${id} RUNNING`, async () => ((await statusOf(id)) === "RUNNING" ? true : null));

const sql = async <T extends pg.QueryResultRow>(instanceId: string, text: string, values: unknown[] = []) =>
  withTenantClient(await tenantConnection(instanceId), async (client) => (await client.query<T>(text, values)).rows);

/** What Odoo itself holds about its owner and its address. */
async function odooIdentity(instanceId: string) {
  const [admin] = await sql<{ login: string; name: string; email: string; lang: string; tz: string }>(
    instanceId,
    "SELECT u.login, p.name, p.email, p.lang, p.tz FROM res_users u JOIN res_partner p ON p.id = u.partner_id WHERE u.id = 2",
  );
  const [company] = await sql<{ name: string; email: string; partner_name: string; partner_email: string }>(
    instanceId,
    `SELECT c.name, c.email, p.name AS partner_name, p.email AS partner_email
     FROM res_company c JOIN res_partner p ON p.id = c.partner_id WHERE c.id = 1`,
  );
  const params = Object.fromEntries(
    (await sql<{ key: string; value: string }>(instanceId, "SELECT key, value FROM ir_config_parameter")).map((row) => [row.key, row.value]),
  );
  return { admin: admin!, company: company!, params };
}

async function runningInstance(caller: Caller, extra: Record<string, unknown> = {}) {
  const created = await caller.instances.create({
    name: "Owner login test",
    subdomain: uniqueSubdomain("o"),
    odooVersion: series(),
    planId: "premium-monthly",
    trial: true,
    ...extra,
  });
  workers.created.push(created.id);
  await untilRunning(created.id);
  return { created, instance: await caller.instances.get({ id: created.id }) };
}

/** Every text the platform stores, table by table, as one string per row. */
async function everyPlatformRow(): Promise<string[]> {
  const tables = await db.$queryRaw<{ name: string }[]>`
    SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
  const rows: string[] = [];
  for (const { name } of tables) {
    const found = await db.$queryRawUnsafe<{ row: string }[]>(`SELECT to_jsonb(t)::text AS row FROM "${name}" t`);
    rows.push(...found.map((row) => row.row));
  }
  return rows;
}

/** Every job (and its data) in Redis, as stored. */
async function everyRedisValue(): Promise<string[]> {
  const values: string[] = [];
  for (const key of await redis().keys("*")) {
    const type = await redis().type(key);
    if (type === "string") values.push((await redis().get(key)) ?? "");
    else if (type === "hash") values.push(JSON.stringify(await redis().hgetall(key)));
    else if (type === "list") values.push(...(await redis().lrange(key, 0, -1)));
  }
  return values;
}

describe("the owner's Odoo login", () => {
  let caller: Caller;
  let user: Awaited<ReturnType<typeof createTestUser>>;
  let first: Awaited<ReturnType<typeof runningInstance>>;

  beforeAll(async () => {
    user = await createTestUser();
    await db.user.update({ where: { id: user.id }, data: { name: "Ada Owner", company: "Acme Trading Ltd" } });
    caller = (await callerFor(user.id)).caller;
    first = await runningInstance(caller, { adminPassword: OWNER_PASSWORD, odooLang: "en_US", odooTimezone: "Europe/Warsaw" });
  });

  it("one-shot init: admin/admin is refused, the owner's email and password log in (XML-RPC and the form)", async () => {
    const { instance } = first;
    expect(instance.url).toBeTruthy();
    const url = instance.url!;
    expect(await odooCommonLogin(url, instance.dbName!, "admin", "admin")).toBe(false);
    expect(await odooCommonLogin(url, instance.dbName!, user.email, OWNER_PASSWORD)).toBe(2);
    expect(await odooCommonLogin(url, instance.dbName!, user.email, "admin")).toBe(false);
    expect(await odooFormLogin(url, user.email, OWNER_PASSWORD)).toBe(true);
    expect(await odooFormLogin(url, "admin", "admin")).toBe(false);

    const timeline = await caller.instances.events({ id: instance.id });
    expect(timeline.map((event) => event.message)).toContain(`Odoo login set up for ${user.email}`);
    expect(instance.odooLoginSetAt).toBeTruthy();
    expect(instance.odooPasswordNoticeAt).toBeNull();
  });

  it("the company, the admin's profile and web.base.url are the customer's", async () => {
    const { instance } = first;
    const identity = await odooIdentity(instance.id);
    expect(identity.admin).toEqual({ login: user.email, name: "Ada Owner", email: user.email, lang: "en_US", tz: "Europe/Warsaw" });
    expect(identity.company).toEqual({
      name: "Acme Trading Ltd",
      email: user.email,
      partner_name: "Acme Trading Ltd",
      partner_email: user.email,
    });
    expect(identity.params["web.base.url"]).toBe(instance.url);
    expect(identity.params["web.base.url.freeze"]).toBe("True");
    // The admin logging in through the form does not move web.base.url (it is frozen).
    expect(await odooFormLogin(instance.url!, user.email, OWNER_PASSWORD)).toBe(true);
    expect((await odooIdentity(instance.id)).params["web.base.url"]).toBe(instance.url);
  });

  it("web.base.url follows the address when it changes (a new published port after a restart)", async () => {
    const { instance } = first;
    // As if the instance had been at another address until now.
    await sql(instance.id, "UPDATE ir_config_parameter SET value = 'http://localhost:1' WHERE key = 'web.base.url'");
    await db.instance.update({ where: { id: instance.id }, data: { url: "http://localhost:1", odooBaseUrl: "http://localhost:1" } });
    await caller.instances.refreshStatus({ id: instance.id });
    const now = await caller.instances.get({ id: instance.id });
    expect(now.url).toBe(instance.url);
    expect((await odooIdentity(instance.id)).params["web.base.url"]).toBe(instance.url);
  });

  it("a reset makes the old password fail and the new one work, and leaves the other users alone", async () => {
    const { instance } = first;
    const url = instance.url!;
    // Another Odoo user of the customer's, with a password of its own.
    const otherHash = await hashOdooPassword("Colleague-Pass-1!", { rounds: 1000 });
    await sql(
      instance.id,
      `WITH p AS (INSERT INTO res_partner (name, email) VALUES ('Colleague', 'colleague@example.com') RETURNING id)
       INSERT INTO res_users (login, password, partner_id, company_id, active, share) SELECT 'colleague@example.com', $1, p.id, 1, true, false FROM p`,
      [otherHash],
    );
    await expect(caller.instances.resetOdooPassword({ id: instance.id, password: "short" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(caller.instances.resetOdooPassword({ id: instance.id, password: RESET_PASSWORD })).resolves.toEqual({ ok: true });
    expect(await odooCommonLogin(url, instance.dbName!, user.email, OWNER_PASSWORD)).toBe(false);
    expect(await odooCommonLogin(url, instance.dbName!, user.email, RESET_PASSWORD)).toBe(2);
    expect(await odooFormLogin(url, user.email, RESET_PASSWORD)).toBe(true);
    expect(await odooCommonLogin(url, instance.dbName!, "colleague@example.com", "Colleague-Pass-1!")).not.toBe(false);

    // Nobody else's instance: another customer gets NOT_FOUND; an admin may, audited.
    const stranger = (await callerFor((await createTestUser()).id)).caller;
    await expect(stranger.instances.resetOdooPassword({ id: instance.id, password: RESET_PASSWORD })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const admin = await createTestUser("ADMIN");
    const adminCaller = (await callerFor(admin.id)).caller;
    await adminCaller.admin.instances.resetOdooPassword({ id: instance.id, password: OWNER_PASSWORD });
    expect(await odooCommonLogin(url, instance.dbName!, user.email, OWNER_PASSWORD)).toBe(2);
    const audit = await db.auditLog.findMany({ where: { targetId: instance.id, action: "instance.odoo-password-reset" }, orderBy: { createdAt: "asc" } });
    expect(audit.map((entry) => entry.actor)).toEqual([`user:${user.id}`, `admin:${admin.id}`]);
  });

  it("a generated password is returned once, works, and is stored nowhere", async () => {
    // A customer's second instance: paid, not a trial.
    const created = await caller.instances.create({
      name: "Generated password",
      subdomain: uniqueSubdomain("g"),
      odooVersion: series(),
      planId: "premium-monthly",
    });
    workers.created.push(created.id);
    await payOpenInvoiceOf(created.id);
    await untilRunning(created.id);
    const instance = await caller.instances.get({ id: created.id });
    expect(created.generatedOdooPassword).toMatch(/^[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){3}$/);
    expect(instance).not.toHaveProperty("generatedOdooPassword");
    expect(await odooCommonLogin(instance.url!, instance.dbName!, user.email, created.generatedOdooPassword!)).toBe(2);
    expect(await odooCommonLogin(instance.url!, instance.dbName!, "admin", "admin")).toBe(false);
    const stored = [...(await everyPlatformRow()), ...(await everyRedisValue())];
    expect(stored.filter((value) => value.includes(created.generatedOdooPassword!))).toEqual([]);
  });

  it("no chosen password appears in a platform table or a job, and the pending hash is erased once applied", async () => {
    const stored = [...(await everyPlatformRow()), ...(await everyRedisValue())];
    for (const password of [OWNER_PASSWORD, RESET_PASSWORD]) {
      expect(stored.filter((value) => value.includes(password))).toEqual([]);
    }
    const row = await db.instance.findUniqueOrThrow({ where: { id: first.instance.id } });
    expect(row.odooAdminHashEnc).toBeNull();
    // The answers the customer's browser gets carry no hash either.
    expect(JSON.stringify(await caller.instances.get({ id: first.instance.id }))).not.toMatch(/pbkdf2|HashEnc/);
  });

  it("restore into a new instance: the owner's chosen password, a database identity of its own", { timeout: 180_000 }, async () => {
    const source = first.instance;
    const backup = await caller.backups.create({ id: source.id });
    await waitFor("backup", async () => {
      const current = await caller.backups.get({ id: backup.id });
      return current.status === "SUCCEEDED" ? current : current.status === "FAILED" ? Promise.reject(new Error(current.failureReason ?? "backup failed")) : null;
    });
    const restored = await caller.backups.restore({
      backupId: backup.id,
      target: "new",
      name: "Restored copy",
      subdomain: uniqueSubdomain("r"),
      adminPassword: RESTORE_PASSWORD,
    });
    workers.created.push(restored.instanceId);
    expect(restored).not.toHaveProperty("generatedOdooPassword");
    await payOpenInvoiceOf(restored.instanceId);
    await untilRunning(restored.instanceId);
    const copy = await caller.instances.get({ id: restored.instanceId });
    expect(await odooCommonLogin(copy.url!, copy.dbName!, "admin", "admin")).toBe(false);
    expect(await odooCommonLogin(copy.url!, copy.dbName!, user.email, RESTORE_PASSWORD)).toBe(2);
    expect(await odooFormLogin(copy.url!, user.email, RESTORE_PASSWORD)).toBe(true);
    // The source keeps its own password.
    expect(await odooCommonLogin(source.url!, source.dbName!, user.email, RESTORE_PASSWORD)).toBe(false);

    const [a, b] = [await odooIdentity(source.id), await odooIdentity(copy.id)];
    expect(b.params["database.secret"]).not.toBe(a.params["database.secret"]);
    expect(b.params["database.uuid"]).not.toBe(a.params["database.uuid"]);
    expect(b.params["web.base.url"]).toBe(copy.url);
    // The backup's company is the customer's data: kept as it was.
    expect(b.company.name).toBe(a.company.name);
  });
});

describe("instances made before owners had their own login", () => {
  it("the one-time check rotates admin/admin away, mails the owner and shows a notice", async () => {
    const user = await createTestUser();
    const caller = (await callerFor(user.id)).caller;
    const { instance } = await runningInstance(caller, { adminPassword: OWNER_PASSWORD });
    // What the old provisioning path left: Odoo's own admin/admin, and no login recorded.
    await sql(instance.id, "UPDATE res_users SET login = 'admin', password = $1 WHERE id = 2", [await hashOdooPassword("admin")]);
    await db.instance.update({ where: { id: instance.id }, data: { odooLoginSetAt: null, odooAdminCheckedAt: null } });
    expect(await odooCommonLogin(instance.url!, instance.dbName!, "admin", "admin")).toBe(2);

    const outbox = process.env.MAIL_OUTBOX_DIR ?? "mail-outbox";
    const result = await rotateDefaultPasswords();
    expect(result.rotated).toBeGreaterThanOrEqual(1);
    expect(await odooCommonLogin(instance.url!, instance.dbName!, "admin", "admin")).toBe(false);

    const notice = await caller.instances.get({ id: instance.id });
    expect(notice.odooPasswordNoticeAt).toBeTruthy();
    const mails = await Promise.all(
      (await readdir(outbox)).map(async (file) => JSON.parse(await readFile(path.join(outbox, file), "utf8")) as { to: string; subject: string; text: string }),
    );
    const mail = mails.find((candidate) => candidate.to === user.email && candidate.subject.includes("Odoo administrator password"));
    expect(mail?.text).toContain(`/instances/${instance.id}`);

    // Idempotent: a second run finds nothing to do for it; a reset clears the notice.
    const checkedAt = (await db.instance.findUniqueOrThrow({ where: { id: instance.id } })).odooAdminCheckedAt;
    await rotateDefaultPasswords();
    expect((await db.instance.findUniqueOrThrow({ where: { id: instance.id } })).odooAdminCheckedAt).toEqual(checkedAt);
    await caller.instances.resetOdooPassword({ id: instance.id, password: RESET_PASSWORD });
    expect((await caller.instances.get({ id: instance.id })).odooPasswordNoticeAt).toBeNull();
    expect(await odooCommonLogin(instance.url!, instance.dbName!, "admin", RESET_PASSWORD)).toBe(2);
  });

  it("a restore in place brings the backup's users back, except an admin/admin, which is rotated", { timeout: 180_000 }, async () => {
    const user = await createTestUser();
    const caller = (await callerFor(user.id)).caller;
    const { instance } = await runningInstance(caller, { adminPassword: OWNER_PASSWORD });
    // A backup taken while the administrator still had Odoo's default password.
    await sql(instance.id, "UPDATE res_users SET password = $1 WHERE id = 2", [await hashOdooPassword("admin")]);
    const backup = await caller.backups.create({ id: instance.id });
    await waitFor("backup", async () => ((await caller.backups.get({ id: backup.id })).status === "SUCCEEDED" ? true : null));
    await caller.instances.resetOdooPassword({ id: instance.id, password: RESET_PASSWORD });
    expect((await caller.instances.get({ id: instance.id })).odooPasswordNoticeAt).toBeNull();

    const { restoreId } = await caller.backups.restore({ backupId: backup.id, target: "in-place", confirmSubdomain: instance.subdomain! });
    await waitFor("restore", async () => {
      const restore = await db.backupRestore.findUniqueOrThrow({ where: { id: restoreId } });
      if (restore.status === "FAILED") throw new Error(restore.failureReason ?? "restore failed");
      return restore.status === "SUCCEEDED" ? true : null;
    }, 120_000);
    const after = await caller.instances.get({ id: instance.id });
    // The backup's login (the owner's email) is back; neither admin/admin nor the later password works.
    expect(await odooCommonLogin(after.url!, after.dbName!, user.email, "admin")).toBe(false);
    expect(await odooCommonLogin(after.url!, after.dbName!, user.email, RESET_PASSWORD)).toBe(false);
    expect(after.odooPasswordNoticeAt).toBeTruthy();
    expect((await odooIdentity(instance.id)).params["web.base.url"]).toBe(after.url);
  });
});
