import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import nodemailer from "nodemailer";
import { env } from "../env";
import { logger } from "../logger";

export type Mail = { to: string; subject: string; text: string };

/**
 * Sends through SMTP when SMTP_URL is set. Otherwise each message is written as JSON to the
 * outbox folder (MAIL_OUTBOX_DIR) for a developer or an e2e test to read; the log names the
 * file but never the body, which may hold a one-time link.
 */
export async function sendMail(mail: Mail): Promise<void> {
  const { SMTP_URL, MAIL_FROM, MAIL_OUTBOX_DIR } = env();
  if (SMTP_URL) {
    await nodemailer.createTransport(SMTP_URL).sendMail({ from: MAIL_FROM, ...mail });
    logger.info({ to: mail.to, subject: mail.subject }, "mail sent");
    return;
  }
  await mkdir(MAIL_OUTBOX_DIR, { recursive: true });
  const file = path.join(
    MAIL_OUTBOX_DIR,
    `${new Date().toISOString().replace(/[:.]/g, "-")}-${randomBytes(4).toString("hex")}.json`,
  );
  await writeFile(file, JSON.stringify({ from: MAIL_FROM, ...mail, createdAt: new Date().toISOString() }, null, 2), {
    mode: 0o600,
  });
  logger.info({ to: mail.to, subject: mail.subject, file }, "mail written to the outbox (SMTP_URL is not set)");
}
