import { decryptSecret, generatePassword } from "../../crypto/secrets";
import { db } from "../../db";
import { withTenantClient } from "../../db-pool/tenant-client";
import { logger } from "../../logger";
import { hashOdooPassword } from "./odoo-password";
import { instanceUrls } from "./odoo-health";
import { writeBaseUrl, writeOwnerIdentity } from "./odoo-owner-sql";
import { tenantConnection } from "./tenant-connection";
import { recordInstanceEvent } from "./transition-status";

const ACTOR = "system:provisioner";

/** The address customers open, when it is known before the container runs (proxy routing). */
const knownPublicUrl = (instance: { subdomain: string | null; url: string | null }) =>
  instance.url ?? instanceUrls(instance, { hostPort: null, ipAddress: null }).publicUrl;

/**
 * Hands a freshly initialised, cloned or restored database over to its owner, before the
 * serving container ever starts: the Odoo administrator logs in with the instance's admin email
 * and the owner's password (applied as Odoo's own hash; `admin`/`admin` stops working), the
 * company carries the customer's name and email, `web.base.url` is the instance's address, and
 * a copy of another database gets its own uuid and secret. The pending hash is erased once
 * written. Safe to re-run: a rerun writes the same identity again and leaves the password alone.
 */
export async function handOverDatabase(instanceId: string, { cloned }: { cloned: boolean }): Promise<void> {
  const instance = await db.instance.findUniqueOrThrow({
    where: { id: instanceId },
    include: { owner: { select: { name: true, company: true } } },
  });
  let passwordHash: string | null = instance.odooAdminHashEnc ? decryptSecret(instance.odooAdminHashEnc) : null;
  // No password was chosen (an instance requested before owners chose one): a random one that
  // nobody knows, and the instance page asks the owner to set theirs.
  const generated = !passwordHash && !instance.odooLoginSetAt;
  if (generated) passwordHash = await hashOdooPassword(generatePassword());

  const fromBackup = !!instance.restoreFromBackupId;
  const baseUrl = knownPublicUrl(instance);
  await withTenantClient(await tenantConnection(instanceId), (client) =>
    writeOwnerIdentity(client, {
      login: instance.adminEmail,
      passwordHash,
      baseUrl,
      newDatabaseIdentity: cloned || fromBackup,
      // A backup's company and users are the customer's own data: only the admin's login changes.
      profile: fromBackup
        ? undefined
        : {
            ownerName: instance.owner.name,
            lang: instance.odooLang,
            tz: instance.odooTimezone,
            company: instance.owner.company?.trim() || instance.name,
            companyEmail: instance.adminEmail,
          },
    }),
  );
  const now = new Date();
  await db.instance.update({
    where: { id: instanceId },
    data: {
      odooAdminHashEnc: null,
      odooLoginSetAt: instance.odooLoginSetAt ?? now,
      odooAdminCheckedAt: now,
      odooBaseUrl: baseUrl,
      ...(generated ? { odooPasswordNoticeAt: now } : {}),
    },
  });
  if (!instance.odooLoginSetAt) {
    await recordInstanceEvent(instanceId, "STEP", `Odoo login set up for ${instance.adminEmail}`, ACTOR);
  }
}

/**
 * Keeps Odoo's `web.base.url` equal to the instance's address whenever that changes (a published
 * port assigned at start, a new host name). Never throws: the reconciler tries again while the
 * two differ.
 */
export async function syncOdooBaseUrl(instanceId: string): Promise<void> {
  const instance = await db.instance.findUnique({
    where: { id: instanceId },
    select: { url: true, odooBaseUrl: true, dbPasswordEnc: true },
  });
  if (!instance?.url || instance.url === instance.odooBaseUrl || !instance.dbPasswordEnc) return;
  const url = instance.url;
  try {
    await withTenantClient(await tenantConnection(instanceId), (client) => writeBaseUrl(client, url));
    await db.instance.update({ where: { id: instanceId }, data: { odooBaseUrl: url } });
  } catch (error) {
    logger.warn({ err: error, instanceId }, "could not update the instance's web.base.url; will retry");
  }
}
