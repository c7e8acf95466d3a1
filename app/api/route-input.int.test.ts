import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as downloadBackup } from "@/app/api/backups/[id]/download/route";
import { POST as killbillWebhook } from "@/app/api/webhooks/killbill/[secret]/route";
import { POST as paynowWebhook } from "@/app/api/webhooks/paynow/route";
import { db } from "@/server/db";
import { env } from "@/server/env";
import { createTestUser } from "@/testing/accounts";
import { sessionHeaders, url } from "@/testing/http";

/**
 * The HTTP routes that take input of their own (path parameters, webhook bodies), called
 * through their real handlers: a NUL character anywhere is a 400 naming the field or
 * parameter and stores nothing; an oversized body is a 413. Never a 5xx.
 */
type RouteError = { error?: string; fieldErrors?: Record<string, string[]> };

let customer: Headers;
let userId: string;

beforeAll(async () => {
  const user = await createTestUser();
  userId = user.id;
  customer = await sessionHeaders(user.id);
});

afterAll(async () => {
  await db.session.deleteMany({ where: { userId } });
});

async function expectNamed(response: Response, field: string) {
  expect(response.status).toBe(400);
  const body = (await response.json()) as RouteError;
  expect(body.fieldErrors).toEqual({ [field]: [expect.stringContaining("must not contain a NUL character")] });
  expect(body.error).toContain(field);
}

const billingEvents = () => db.billingEvent.count();

describe("GET /api/backups/[id]/download", () => {
  const download = (id: string, headers: Headers) =>
    downloadBackup(new Request(url(`/api/backups/${encodeURIComponent(id)}/download`), { headers }), { params: Promise.resolve({ id }) });

  it("a NUL in the id is a 400 naming id, signed in or not", async () => {
    await expectNamed(await download("\u0000", customer), "id");
    await expectNamed(await download("abc\u0000def", new Headers()), "id");
  });

  it("an id that is no backup of the caller is still a 404, signed out a 401", async () => {
    expect((await download("no-such-backup", customer)).status).toBe(404);
    expect((await download("no-such-backup", new Headers())).status).toBe(401);
  });
});

describe("POST /api/webhooks/paynow", () => {
  const post = (body: BodyInit, init: RequestInit = {}) =>
    paynowWebhook(
      new Request(url("/api/webhooks/paynow"), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body,
        ...init,
      }),
    );

  it("a raw NUL byte in the body is a 400 naming body, and nothing is stored", async () => {
    const before = await billingEvents();
    await expectNamed(await post("reference=INV-1\u0000&status=Paid&hash=ABC"), "body");
    expect(await billingEvents()).toBe(before);
  });

  it("a percent-encoded NUL in a field is a 400 naming that field, and nothing is stored", async () => {
    const before = await billingEvents();
    await expectNamed(await post("reference=INV-1%00&status=Paid&hash=ABC"), "reference");
    await expectNamed(await post("reference=INV-1&sta%00tus=Paid&hash=ABC"), "body");
    expect(await billingEvents()).toBe(before);
  });

  it("a body past 16 kB is a 413, announced or streamed", async () => {
    const big = `reference=${"x".repeat(17 * 1024)}`;
    expect((await post(big)).status).toBe(413);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode("x".repeat(1024)));
        controller.close();
      },
    });
    const streamed = await post(stream, { duplex: "half" } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as RouteError).error).toContain("too large");
  });
});

describe("POST /api/webhooks/killbill/[secret]", () => {
  const secret = () => env().KILLBILL_WEBHOOK_SECRET!;
  const post = (pathSecret: string, body: string) =>
    killbillWebhook(
      new Request(url(`/api/webhooks/killbill/${encodeURIComponent(pathSecret)}`), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      }),
      { params: Promise.resolve({ secret: pathSecret }) },
    );
  const notification = (fields: Record<string, unknown>) =>
    JSON.stringify({ eventType: "INVOICE_CREATION", accountId: "acct-1", objectType: "INVOICE", objectId: "inv-1", metaData: null, ...fields });

  it("an escaped NUL (\\u0000) in a JSON field is a 400 naming it, and nothing is stored", async () => {
    expect(secret()).toBeTruthy();
    const before = await billingEvents();
    await expectNamed(await post(secret(), notification({ accountId: "acct\u0000" })), "accountId");
    await expectNamed(await post(secret(), notification({ metaData: '{"x":"\u0000"}' })), "metaData");
    await expectNamed(await post(secret(), JSON.stringify({ "event\u0000Type": "X" })), "body");
    expect(await billingEvents()).toBe(before);
  });

  it("a raw NUL byte in the body is a 400 naming body", async () => {
    await expectNamed(await post(secret(), `{"eventType":"INVOICE_CREATION"\u0000}`), "body");
  });

  it("a NUL in the secret is a wrong secret: 404, like any other", async () => {
    const response = await post(`${secret()}\u0000`, notification({}));
    expect(response.status).toBe(404);
  });
});
