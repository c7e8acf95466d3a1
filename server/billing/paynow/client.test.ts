import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startPaynowStandin, type PaynowStandin } from "@/testing/paynow-standin/paynow-standin";
import { eventually, startResultReceiver, type ResultReceiver } from "@/testing/paynow-standin/result-receiver";
import { createPaynowClient, PaynowError, paynowStatusIsPaid, type PaynowClient } from "./client";
import { paynowHash } from "./hash";

const INTEGRATION_ID = "4321";
const INTEGRATION_KEY = "6f0b2c1e-9a7d-4f3b-8e2a-1c5d9b7e3f10";
const MERCHANT_EMAIL = "merchant@example.com";
// 5 s -> 50 ms, 30 s -> 300 ms, 1 s between resends -> 10 ms.
const TIME_SCALE = 0.01;

let standin: PaynowStandin;
let receiver: ResultReceiver;
let client: PaynowClient;
let counter = 0;

const reference = () => `INV-${Date.now().toString(36)}-${(counter += 1)}`;
const web = (overrides: Partial<Parameters<PaynowClient["initiateWeb"]>[0]> = {}) => ({
  reference: reference(),
  amount: "8.00",
  additionalInfo: "Odoo Standard, January",
  returnUrl: "http://app.test/billing/return?ref=1",
  resultUrl: receiver.url,
  ...overrides,
});
const mobile = (phone: string, overrides: Partial<Parameters<PaynowClient["initiateMobile"]>[0]> = {}) => ({
  ...web(),
  authEmail: MERCHANT_EMAIL,
  phone,
  method: "ecocash" as const,
  ...overrides,
});

async function caught(promise: Promise<unknown>): Promise<PaynowError> {
  const error = await promise.then(
    () => new Error("expected a PaynowError, the call succeeded"),
    (reason: unknown) => reason,
  );
  if (!(error instanceof PaynowError)) throw error;
  return error;
}

/** A fake Paynow that answers every request with `reply` (or never, when null). */
async function fakePaynow(reply: string | null): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    if (reply !== null) res.end(reply);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

beforeAll(async () => {
  standin = await startPaynowStandin({
    integrationId: INTEGRATION_ID,
    integrationKey: INTEGRATION_KEY,
    merchantEmail: MERCHANT_EMAIL,
    timeScale: TIME_SCALE,
  });
  receiver = await startResultReceiver();
  client = createPaynowClient({ baseUrl: standin.url, integrationId: INTEGRATION_ID, integrationKey: INTEGRATION_KEY });
});

afterEach(() => standin.reset());

afterAll(async () => {
  await standin.close();
  await receiver.close();
});

describe("initiateWeb", () => {
  it("sends the documented fields in order and returns the verified URLs", async () => {
    const input = web({ authEmail: MERCHANT_EMAIL });
    const reply = await client.initiateWeb(input);

    const [tx] = standin.transactions;
    expect(tx).toMatchObject({
      kind: "web",
      reference: input.reference,
      amount: "8.00",
      additionalInfo: "Odoo Standard, January",
      resultUrl: receiver.url,
      returnUrl: input.returnUrl,
      authEmail: MERCHANT_EMAIL,
      status: "Created",
    });
    expect(tx?.fieldOrder).toEqual(["id", "reference", "amount", "additionalinfo", "returnurl", "resulturl", "authemail", "status", "hash"]);
    expect(reply).toEqual({ browserUrl: tx?.browserUrl, pollUrl: tx?.pollUrl });
  });

  it("leaves authemail out when not given", async () => {
    await client.initiateWeb(web());
    expect(standin.transactions[0]?.fieldOrder).not.toContain("authemail");
  });

  it("polls Created, then Paid after the customer pays on the payment page; the status update parses", async () => {
    const input = web();
    const { browserUrl, pollUrl } = await client.initiateWeb(input);
    expect(await client.poll(pollUrl)).toMatchObject({ reference: input.reference, amount: "8.00", status: "Created", paid: false });

    const page = await fetch(browserUrl);
    expect(await page.text()).toContain(input.reference);
    const pay = await fetch(browserUrl, { method: "POST", body: new URLSearchParams({ action: "pay" }), redirect: "manual" });
    expect(pay.status).toBe(303);
    expect(pay.headers.get("location")).toBe(input.returnUrl);

    const polled = await client.poll(pollUrl);
    expect(polled).toEqual({
      reference: input.reference,
      amount: "8.00",
      paynowReference: standin.transactions[0]?.paynowReference,
      pollUrl,
      status: "Paid",
      paid: true,
    });
    const body = await eventually(() => receiver.bodies.find((b) => b.includes(input.reference)));
    expect(client.parseStatusUpdate(body)).toEqual(polled);
  });

  it("refuses a reply whose hash does not verify", async () => {
    const fake = await fakePaynow("status=Ok&browserurl=http%3a%2f%2fevil.test%2fpay&pollurl=http%3a%2f%2fevil.test%2fpoll&hash=ABC");
    try {
      const other = createPaynowClient({ baseUrl: fake.url, integrationId: INTEGRATION_ID, integrationKey: INTEGRATION_KEY });
      const error = await caught(other.initiateWeb(web()));
      expect(error.message).toBe("reply hash did not verify");
      expect(error.kind).toBe("bad-reply");
    } finally {
      await closeServer(fake.server);
    }
  });

  it("refuses a well-signed reply without browserurl", async () => {
    const pairs: [string, string][] = [["status", "Ok"], ["pollurl", "http://paynow.test/poll"]];
    const body = new URLSearchParams([...pairs, ["hash", paynowHash(pairs, INTEGRATION_KEY)]]).toString();
    const fake = await fakePaynow(body);
    try {
      const other = createPaynowClient({ baseUrl: fake.url, integrationId: INTEGRATION_ID, integrationKey: INTEGRATION_KEY });
      expect((await caught(other.initiateWeb(web()))).message).toMatch(/browserurl/);
    } finally {
      await closeServer(fake.server);
    }
  });

  it("throws Paynow's error text when the stand-in rejects the hash (wrong key)", async () => {
    const wrongKey = createPaynowClient({ baseUrl: standin.url, integrationId: INTEGRATION_ID, integrationKey: "not-the-key" });
    const error = await caught(wrongKey.initiateWeb(web()));
    expect(error.kind).toBe("rejected");
    expect(error.paynowMessage).toBe("Invalid Hash");
    expect(standin.transactions).toHaveLength(0);
  });

  it("throws Paynow's error text for an unknown integration id", async () => {
    const wrongId = createPaynowClient({ baseUrl: standin.url, integrationId: "9999", integrationKey: INTEGRATION_KEY });
    expect((await caught(wrongId.initiateWeb(web()))).paynowMessage).toBe("Invalid Id.");
  });
});

describe("initiateMobile", () => {
  it("sends the SDK's field order and returns instructions and the poll URL", async () => {
    const input = mobile("0772222222");
    const reply = await client.initiateMobile(input);
    const [tx] = standin.transactions;
    expect(tx?.fieldOrder).toEqual([
      "resulturl", "returnurl", "reference", "amount", "id", "additionalinfo", "authemail", "phone", "method", "status", "hash",
    ]);
    expect(tx).toMatchObject({ kind: "mobile", method: "ecocash", phone: "0772222222", status: "Sent" });
    expect(reply.pollUrl).toBe(tx?.pollUrl);
    expect(reply.instructions).toMatch(/EcoCash/);
    expect(await client.poll(reply.pollUrl)).toMatchObject({ status: "Sent", paid: false });
  });

  it("0771111111 becomes Paid after 5 s (scaled) and a signed status update is posted", async () => {
    const input = mobile("0771111111", { method: "onemoney" });
    const { pollUrl } = await client.initiateMobile(input);
    const body = await eventually(() => receiver.bodies.find((b) => b.includes(input.reference)));
    const update = client.parseStatusUpdate(body);
    expect(update).toMatchObject({ reference: input.reference, amount: "8.00", status: "Paid", paid: true, pollUrl });
    expect(await client.poll(pollUrl)).toEqual(update);
  });

  it("0773333333 becomes Failed (user cancelled), which is not paid", async () => {
    const { pollUrl } = await client.initiateMobile(mobile("0773333333"));
    expect(await client.poll(pollUrl)).toMatchObject({ status: "Sent", paid: false });
    await eventually(() => standin.transactions[0]?.status === "Failed");
    expect(await client.poll(pollUrl)).toMatchObject({ status: "Failed", paid: false });
  });

  it("0774444444 is refused at once with Insufficient balance", async () => {
    const error = await caught(client.initiateMobile(mobile("0774444444")));
    expect(error.kind).toBe("rejected");
    expect(error.paynowMessage).toBe("Insufficient balance");
  });

  it("is refused when authemail is not the merchant's email (test mode)", async () => {
    const error = await caught(client.initiateMobile(mobile("0771111111", { authEmail: "payer@example.com" })));
    expect(error.paynowMessage).toMatch(/authemail/);
  });
});

describe("input validation", () => {
  it.each([
    ["a phone that is not a Zimbabwe mobile", { phone: "0871234567" }, /phone/],
    ["a phone in international form", { phone: "+263771111111" }, /phone/],
    ["a reference with a space", { reference: "INV 1" }, /reference/],
    ["a reference over 50 characters", { reference: "x".repeat(51) }, /reference/],
    ["an amount without 2 decimals", { amount: "8" }, /amount/],
    ["an amount with a currency", { amount: "USD8.00" }, /amount/],
    ["a zero amount", { amount: "0.00" }, /amount/],
    ["a result URL that is not http(s)", { resultUrl: "ftp://x/y" }, /resultUrl/],
  ])("refuses %s before sending anything", async (_label, overrides, field) => {
    const error = await caught(client.initiateMobile({ ...mobile("0771111111"), ...overrides }));
    expect(error.kind).toBe("invalid-request");
    expect(error.message).toMatch(field);
    expect(standin.transactions).toHaveLength(0);
  });

  it("refuses a non-numeric integration id at creation", () => {
    expect(() => createPaynowClient({ baseUrl: standin.url, integrationId: "abc", integrationKey: "k" })).toThrow(PaynowError);
  });
});

describe("poll", () => {
  it("throws Paynow's error for an unknown transaction", async () => {
    const error = await caught(client.poll(`${standin.url}/interface/checkpayment/?guid=00000000-0000-0000-0000-000000000000`));
    expect(error.kind).toBe("rejected");
    expect(error.paynowMessage).toBe("Transaction not found");
  });

  it("reports Awaiting Delivery as paid", async () => {
    const input = web();
    const { pollUrl } = await client.initiateWeb(input);
    standin.setStatus(input.reference, "Awaiting Delivery");
    expect(await client.poll(pollUrl)).toMatchObject({ status: "Awaiting Delivery", paid: true });
  });

  it("refuses a poll reply signed with another key", async () => {
    const pairs: [string, string][] = [
      ["reference", "INV-1"], ["amount", "8.00"], ["paynowreference", "1"], ["pollurl", "http://x.test/p"], ["status", "Paid"],
    ];
    const fake = await fakePaynow(new URLSearchParams([...pairs, ["hash", paynowHash(pairs, "other-key")]]).toString());
    try {
      expect((await caught(client.poll(`${fake.url}/poll`))).message).toBe("reply hash did not verify");
    } finally {
      await closeServer(fake.server);
    }
  });
});

describe("capitalised reply keys", () => {
  it("initiates and polls against a Paynow that capitalises keys", async () => {
    const capitalising = await startPaynowStandin({ integrationId: INTEGRATION_ID, integrationKey: INTEGRATION_KEY, capitaliseKeys: true });
    try {
      const other = createPaynowClient({ baseUrl: capitalising.url, integrationId: INTEGRATION_ID, integrationKey: INTEGRATION_KEY });
      const raw = await fetch(`${capitalising.url}/interface/checkpayment/?guid=x`, { method: "POST" }).then((r) => r.text());
      expect(raw).toBe("Status=Error&Error=Transaction+not+found");
      const input = web();
      const { pollUrl, browserUrl } = await other.initiateWeb(input);
      expect(browserUrl).toBe(capitalising.transactions[0]?.browserUrl);
      expect(await other.poll(pollUrl)).toMatchObject({ reference: input.reference, status: "Created" });
    } finally {
      await capitalising.close();
    }
  });
});

describe("transport failures", () => {
  it("throws PaynowError when Paynow cannot be reached", async () => {
    const fake = await fakePaynow("");
    const { url } = fake;
    await closeServer(fake.server);
    const offline = createPaynowClient({ baseUrl: url, integrationId: INTEGRATION_ID, integrationKey: INTEGRATION_KEY });
    const error = await caught(offline.initiateWeb(web()));
    expect(error.kind).toBe("unavailable");
    expect(error.message).toMatch(/could not reach Paynow/);
  });

  it("throws PaynowError on a timeout", async () => {
    const silent = await fakePaynow(null);
    try {
      const slow = createPaynowClient({ baseUrl: silent.url, integrationId: INTEGRATION_ID, integrationKey: INTEGRATION_KEY, timeoutMs: 100 });
      const error = await caught(slow.poll(`${silent.url}/poll`));
      expect(error.kind).toBe("unavailable");
      expect(error.message).toMatch(/within 100 ms/);
    } finally {
      await closeServer(silent.server);
    }
  });
});

describe("parseStatusUpdate", () => {
  const pairs: [string, string][] = [
    ["reference", "INV-2025-0001"], ["amount", "8.00"], ["paynowreference", "1234567"],
    ["pollurl", "https://www.paynow.co.zw/Interface/CheckPayment/?guid=abc"], ["status", "Paid"],
  ];
  const body = new URLSearchParams([...pairs, ["hash", paynowHash(pairs, INTEGRATION_KEY)]]).toString();

  it("returns the status of a verified update", () => {
    expect(client.parseStatusUpdate(body)).toEqual({
      reference: "INV-2025-0001",
      amount: "8.00",
      paynowReference: "1234567",
      pollUrl: "https://www.paynow.co.zw/Interface/CheckPayment/?guid=abc",
      status: "Paid",
      paid: true,
    });
  });

  it("returns null for a tampered amount or a missing hash", () => {
    expect(client.parseStatusUpdate(body.replace("amount=8.00", "amount=0.01"))).toBeNull();
    expect(client.parseStatusUpdate(body.replace(/&hash=.*$/, ""))).toBeNull();
  });
});

describe("paynowStatusIsPaid", () => {
  it.each([
    ["Paid", true], ["paid", true], ["Awaiting Delivery", true], ["awaiting delivery", true], ["Delivered", true],
    ["Created", false], ["Sent", false], ["Cancelled", false], ["Failed", false], ["Disputed", false], ["Refunded", false], ["Whatever", false],
  ])("%s -> %s", (status, paid) => {
    expect(paynowStatusIsPaid(status)).toBe(paid);
  });
});
