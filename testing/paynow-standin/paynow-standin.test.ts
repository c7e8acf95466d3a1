import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { paynowHash, parsePaynowPairs, verifyPaynowMessage } from "@/server/billing/paynow/hash";
import { startPaynowStandin, type PaynowStandin } from "./paynow-standin";
import { eventually, startResultReceiver, type ResultReceiver } from "./result-receiver";

const ID = "1201";
const KEY = "3e9fed89-60e1-4ce5-ab6e-6b1eb2d4f977";
const MERCHANT = "merchant@example.com";

let standin: PaynowStandin;
let receiver: ResultReceiver;
let counter = 0;

function signed(pairs: [string, string][], key = KEY): string {
  return new URLSearchParams([...pairs, ["hash", paynowHash(pairs, key)]]).toString();
}

function webPairs(reference: string, overrides: Record<string, string> = {}): [string, string][] {
  const fields: Record<string, string> = {
    id: ID,
    reference,
    amount: "12.50",
    additionalinfo: "Odoo <Standard> & more",
    returnurl: "http://app.test/return?ref=1",
    resulturl: receiver.url,
    authemail: MERCHANT,
    status: "Message",
    ...overrides,
  };
  return Object.entries(fields);
}

const mobilePairs = (reference: string, phone: string, overrides: Record<string, string> = {}) =>
  webPairs(reference, { phone, method: "ecocash", ...overrides });

const post = (path: string, body: string) =>
  fetch(`${standin.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body,
  }).then((res) => res.text());

const newReference = () => `REF-${(counter += 1)}`;

beforeAll(async () => {
  standin = await startPaynowStandin({ integrationId: ID, integrationKey: KEY, merchantEmail: MERCHANT, timeScale: 0.01 });
  receiver = await startResultReceiver();
});

afterEach(() => {
  standin.reset();
  receiver.script([]);
});

afterAll(async () => {
  await standin.close();
  await receiver.close();
});

describe("initiatetransaction", () => {
  it("replies status, browserurl, pollurl, paynowreference, hash; url-encoded with lower-case escapes", async () => {
    const reply = await post("/interface/initiatetransaction", signed(webPairs(newReference())));
    expect(parsePaynowPairs(reply).map(([key]) => key)).toEqual(["status", "browserurl", "pollurl", "paynowreference", "hash"]);
    expect(reply).toMatch(/browserurl=http%3a%2f%2f127\.0\.0\.1/);
    const fields = verifyPaynowMessage(reply, KEY);
    expect(fields?.status).toBe("Ok");
    expect(fields?.browserurl).toBe(`${standin.url}/payment/confirm/${fields?.paynowreference}`);
    expect(fields?.pollurl).toMatch(new RegExp(`^${standin.url}/interface/checkpayment/\\?guid=[0-9a-f-]{36}$`));
  });

  it.each([
    ["a wrong hash", () => signed(webPairs("R1"), "other-key"), "Status=Error&Error=Invalid+Hash"],
    ["no hash", () => new URLSearchParams(webPairs("R1")).toString(), "Status=Error&Error=Invalid+Hash"],
    ["another integration id", () => signed(webPairs("R1", { id: "1202" })), "Status=Error&Error=Invalid+Id."],
    ["an amount without 2 decimals", () => signed(webPairs("R1", { amount: "12.5" })), "Status=Error&Error=Invalid+amount+field"],
    ["a zero amount", () => signed(webPairs("R1", { amount: "0.00" })), "Status=Error&Error=Invalid+amount+field"],
    ["a status other than Message", () => signed(webPairs("R1", { status: "Ok" })), "Status=Error&Error=Invalid+status+field"],
  ])("refuses %s with an unhashed error reply", async (_label, body, expected) => {
    expect(await post("/interface/initiatetransaction", body())).toBe(expected);
    expect(standin.transactions).toHaveLength(0);
  });

  it("records the transaction as Created with what was sent", async () => {
    const reference = newReference();
    await post("/interface/initiatetransaction", signed(webPairs(reference)));
    expect(standin.transactions).toEqual([
      expect.objectContaining({
        kind: "web",
        reference,
        amount: "12.50",
        additionalInfo: "Odoo <Standard> & more",
        status: "Created",
        authEmail: MERCHANT,
        method: null,
        phone: null,
        statusUpdates: [],
      }),
    ]);
  });
});

describe("payment page", () => {
  async function createWeb(overrides: Record<string, string> = {}) {
    const reference = newReference();
    const fields = verifyPaynowMessage(await post("/interface/initiatetransaction", signed(webPairs(reference, overrides))), KEY);
    if (!fields?.browserurl) throw new Error("initiation failed");
    return { reference, browserUrl: fields.browserurl };
  }
  const act = (url: string, action: string) =>
    fetch(url, { method: "POST", body: new URLSearchParams({ action }), redirect: "manual" });

  it("shows the transaction with escaped details and Pay/Cancel buttons", async () => {
    const { browserUrl, reference } = await createWeb();
    const html = await fetch(browserUrl).then((res) => res.text());
    expect(html).toContain(reference);
    expect(html).toContain("Odoo &lt;Standard&gt; &amp; more");
    expect(html).toMatch(/<button[^>]*value="pay"[^>]*>Pay<\/button>/);
    expect(html).toMatch(/<button[^>]*value="cancel"[^>]*>Cancel<\/button>/);
  });

  it("Cancel sets Cancelled, redirects to the return URL and sends a status update; Pay afterwards is refused", async () => {
    const { browserUrl, reference } = await createWeb();
    const cancel = await act(browserUrl, "cancel");
    expect(cancel.status).toBe(303);
    expect(cancel.headers.get("location")).toBe("http://app.test/return?ref=1");
    expect(standin.transactions[0]?.status).toBe("Cancelled");
    expect((await act(browserUrl, "pay")).status).toBe(409);
    const body = await eventually(() => receiver.bodies.find((b) => b.includes(reference)));
    expect(verifyPaynowMessage(body, KEY)?.status).toBe("Cancelled");
  });

  it("refuses to fake a payment when authemail is not the merchant's", async () => {
    const { browserUrl } = await createWeb({ authemail: "someone@example.com" });
    expect((await act(browserUrl, "pay")).status).toBe(403);
    expect(standin.transactions[0]?.status).toBe("Created");
  });

  it("answers 404 for an unknown transaction", async () => {
    expect((await fetch(`${standin.url}/payment/confirm/1`)).status).toBe(404);
  });
});

describe("remotetransaction", () => {
  it("replies status, instructions, pollurl, paynowreference, hash and starts as Sent", async () => {
    const reply = await post("/interface/remotetransaction", signed(mobilePairs(newReference(), "0779999999")));
    expect(parsePaynowPairs(reply).map(([key]) => key)).toEqual(["status", "instructions", "pollurl", "paynowreference", "hash"]);
    expect(verifyPaynowMessage(reply, KEY)?.status).toBe("Ok");
    expect(standin.transactions[0]).toMatchObject({ kind: "mobile", status: "Sent", method: "ecocash", phone: "0779999999" });
  });

  it.each([
    ["no method", { method: "" }, "Invalid method"],
    ["an unsupported method", { method: "innbucks" }, "Invalid method"],
    ["a bad phone", { phone: "12345" }, "Invalid phone number"],
    ["another authemail", { authemail: "payer@example.com" }, "authemail"],
    ["no authemail", { authemail: "" }, "authemail"],
  ])("refuses %s", async (_label, overrides, expected) => {
    const reply = await post("/interface/remotetransaction", signed(mobilePairs("R2", "0771111111", overrides)));
    expect(new URLSearchParams(reply).get("Status")).toBe("Error");
    expect(new URLSearchParams(reply).get("Error")).toContain(expected);
  });

  it("0774444444: Insufficient balance at once, nothing recorded", async () => {
    const reply = await post("/interface/remotetransaction", signed(mobilePairs("R3", "0774444444")));
    expect(reply).toBe("Status=Error&Error=Insufficient+balance");
    expect(standin.transactions).toHaveLength(0);
  });

  it("0772222222 stays Sent at 5 s and is Paid at 30 s (scaled)", async () => {
    await post("/interface/remotetransaction", signed(mobilePairs(newReference(), "0772222222")));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(standin.transactions[0]?.status).toBe("Sent");
    await eventually(() => standin.transactions[0]?.status === "Paid");
  });

  it("reset() cancels a pending status change", async () => {
    await post("/interface/remotetransaction", signed(mobilePairs("R4", "0771111111")));
    standin.reset();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(receiver.bodies.some((b) => b.includes("R4"))).toBe(false);
  });
});

describe("status updates", () => {
  it("posts reference, amount, paynowreference, pollurl, status, hash and resends after HTTP errors", async () => {
    receiver.script([500, 503]);
    const reference = newReference();
    await post("/interface/remotetransaction", signed(mobilePairs(reference, "0771111111")));
    await eventually(() => standin.transactions[0]?.statusUpdates.length === 3);
    await standin.settled();
    const [tx] = standin.transactions;
    expect(tx?.statusUpdates.map((a) => [a.status, a.attempt, a.httpStatus])).toEqual([
      ["Paid", 1, 500],
      ["Paid", 2, 503],
      ["Paid", 3, 200],
    ]);
    const bodies = receiver.bodies.filter((b) => b.includes(reference));
    expect(bodies).toHaveLength(3);
    expect(parsePaynowPairs(bodies[0] ?? "").map(([key]) => key)).toEqual(["reference", "amount", "paynowreference", "pollurl", "status", "hash"]);
    expect(verifyPaynowMessage(bodies[0] ?? "", KEY)).toMatchObject({ reference, amount: "12.50", status: "Paid", pollurl: tx?.pollUrl });
  });

  it("gives up after ten resends", async () => {
    receiver.script(Array.from({ length: 20 }, () => 500));
    await post("/interface/remotetransaction", signed(mobilePairs(newReference(), "0771111111")));
    await eventually(() => standin.transactions[0]?.statusUpdates.length === 11);
    await standin.settled();
    expect(standin.transactions[0]?.statusUpdates).toHaveLength(11);
  });

  it("records connection errors and resends", async () => {
    const gone = await startResultReceiver();
    await gone.close();
    await post("/interface/remotetransaction", signed(mobilePairs(newReference(), "0771111111", { resulturl: gone.url })));
    await eventually(() => standin.transactions[0]?.statusUpdates.length === 11);
    await standin.settled();
    const attempts = standin.transactions[0]?.statusUpdates ?? [];
    expect(attempts.every((a) => a.httpStatus === null && a.error)).toBe(true);
  });

  it("setStatus() changes the status and notifies", async () => {
    const reference = newReference();
    await post("/interface/initiatetransaction", signed(webPairs(reference)));
    standin.setStatus(reference, "Refunded");
    await standin.settled();
    expect(standin.transactions[0]?.statusUpdates).toEqual([expect.objectContaining({ status: "Refunded", httpStatus: 200 })]);
  });
});

describe("checkpayment", () => {
  it("answers the status fields, hashed, for an empty POST", async () => {
    const reference = newReference();
    const init = verifyPaynowMessage(await post("/interface/initiatetransaction", signed(webPairs(reference))), KEY);
    const reply = await post(new URL(init?.pollurl ?? "").pathname + new URL(init?.pollurl ?? "").search, "");
    expect(parsePaynowPairs(reply).map(([key]) => key)).toEqual(["reference", "amount", "paynowreference", "pollurl", "status", "hash"]);
    expect(verifyPaynowMessage(reply, KEY)).toMatchObject({ reference, amount: "12.50", status: "Created", pollurl: init?.pollurl });
  });

  it("answers an error for an unknown guid", async () => {
    expect(await post("/interface/checkpayment/?guid=nope", "")).toBe("Status=Error&Error=Transaction+not+found");
  });
});

it("answers GET / for readiness checks", async () => {
  expect((await fetch(`${standin.url}/`)).status).toBe(200);
});
