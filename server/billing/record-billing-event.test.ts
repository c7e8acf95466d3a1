import { describe, expect, it } from "vitest";
import { billingEventDedupeKey, metaDataField, type BillingEventInput } from "./record-billing-event";

const event = (over: Partial<BillingEventInput> = {}): BillingEventInput => ({
  source: "KILLBILL",
  eventType: "SUBSCRIPTION_CREATION",
  objectType: "SUBSCRIPTION",
  objectId: "77e23878-8b9d-403b-bf31-93003e125712",
  accountId: "2ad52f53-85ae-408a-9879-32a7e59dd03d",
  metaData: JSON.stringify({ actionType: "EFFECTIVE", bundleExternalKey: "inst_acme", subscriptionChangeUndo: false }),
  ...over,
});

describe("billing event dedupe key", () => {
  it("is (eventType, objectId, actionType): a redelivery has the same key", () => {
    expect(billingEventDedupeKey(event())).toBe(billingEventDedupeKey(event({ accountId: "other" })));
  });

  it("tells REQUESTED and EFFECTIVE transitions of one subscription apart", () => {
    const requested = event({ eventType: "SUBSCRIPTION_CANCEL", metaData: JSON.stringify({ actionType: "REQUESTED" }) });
    const effective = event({ eventType: "SUBSCRIPTION_CANCEL", metaData: JSON.stringify({ actionType: "EFFECTIVE" }) });
    expect(billingEventDedupeKey(requested)).not.toBe(billingEventDedupeKey(effective));
  });

  it("tells event types, objects and sources apart", () => {
    const keys = new Set([
      billingEventDedupeKey(event()),
      billingEventDedupeKey(event({ eventType: "SUBSCRIPTION_PHASE" })),
      billingEventDedupeKey(event({ objectId: "another" })),
      billingEventDedupeKey(event({ source: "BUILTIN" })),
    ]);
    expect(keys.size).toBe(4);
  });

  it("tells two payment attempts on one invoice apart, but not two deliveries of one attempt", () => {
    const attempt = (paymentId: string) =>
      event({ eventType: "INVOICE_PAYMENT_FAILED", objectType: "INVOICE", metaData: JSON.stringify({ paymentId, invoicePaymentType: "ATTEMPT" }) });
    expect(billingEventDedupeKey(attempt("p1"))).toBe(billingEventDedupeKey(attempt("p1")));
    expect(billingEventDedupeKey(attempt("p1"))).not.toBe(billingEventDedupeKey(attempt("p2")));
  });

  it("uses the account when there is no object (INVOICE_NOTIFICATION)", () => {
    const a = event({ eventType: "INVOICE_NOTIFICATION", objectId: null, accountId: "a", metaData: null });
    const b = event({ eventType: "INVOICE_NOTIFICATION", objectId: null, accountId: "b", metaData: null });
    expect(billingEventDedupeKey(a)).not.toBe(billingEventDedupeKey(b));
  });
});

describe("metaDataField", () => {
  it("reads a field of the JSON inside the string, and tolerates plain strings and null", () => {
    expect(metaDataField(JSON.stringify({ actionType: "EFFECTIVE" }), "actionType")).toBe("EFFECTIVE");
    expect(metaDataField("CATALOG", "actionType")).toBeNull();
    expect(metaDataField(null, "actionType")).toBeNull();
    expect(metaDataField("{not json", "actionType")).toBeNull();
  });
});
