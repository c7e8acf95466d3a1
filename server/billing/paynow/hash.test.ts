import { describe, expect, it } from "vitest";
import { paynowHash, verifyPaynowMessage } from "./hash";

// The integration key used by Paynow's docs for both vectors.
const DOC_KEY = "3e9fed89-60e1-4ce5-ab6e-6b1eb2d4f977";

// docs/validating_hash.md. The docs' message uses the staging host; the hash below is only valid
// for it (the same message with www.paynow.co.zw hashes differently).
const INBOUND_HASH =
  "750DD0B0DF374678707BB5AF915AF81C228B9058AD57BB7120569EC68BBB9C2EFC1B26C6375D2BC562AC909B3CD6B2AF1D42E1A5E479FFAC8F4FB3FDCE71DF4D";
const INBOUND_FIELDS =
  "status=Ok" +
  "&browserurl=https%3a%2f%2fstaging.paynow.co.zw%2fPayment%2fConfirmPayment%2f9510" +
  "&pollurl=https%3a%2f%2fstaging.paynow.co.zw%2fInterface%2fCheckPayment%2f%3fguid%3dc7ed41da-0159-46da-b428-69549f770413" +
  "&paynowreference=9510";
const INBOUND = `${INBOUND_FIELDS}&hash=${INBOUND_HASH}`;

describe("paynowHash", () => {
  it("matches the documented outbound vector", () => {
    const pairs: [string, string][] = [
      ["id", "1201"],
      ["reference", "TEST REF"],
      ["amount", "99.99"],
      ["additionalinfo", "A test ticket transaction"],
      ["returnurl", "http://www.google.com/search?q=returnurl"],
      ["resulturl", "http://www.google.com/search?q=resulturl"],
      ["status", "Message"],
    ];
    expect(paynowHash(pairs, DOC_KEY)).toBe(
      "2A033FC38798D913D42ECB786B9B19645ADEDBDE788862032F1BD82CF3B92DEF84F316385D5B40DBB35F1A4FD7D5BFE73835174136463CDD48C9366B0749C689",
    );
  });

  it("leaves out a hash field whatever its case", () => {
    const pairs: [string, string][] = [
      ["status", "Ok"],
      ["paynowreference", "9510"],
    ];
    expect(paynowHash([...pairs, ["Hash", "X"]], DOC_KEY)).toBe(paynowHash(pairs, DOC_KEY));
  });

  it("depends on field order", () => {
    const forward = paynowHash([["a", "1"], ["b", "2"]], "k");
    expect(paynowHash([["b", "2"], ["a", "1"]], "k")).not.toBe(forward);
  });
});

describe("verifyPaynowMessage", () => {
  it("accepts the documented inbound vector and returns decoded fields", () => {
    expect(verifyPaynowMessage(INBOUND, DOC_KEY)).toEqual({
      status: "Ok",
      browserurl: "https://staging.paynow.co.zw/Payment/ConfirmPayment/9510",
      pollurl: "https://staging.paynow.co.zw/Interface/CheckPayment/?guid=c7ed41da-0159-46da-b428-69549f770413",
      paynowreference: "9510",
      hash: INBOUND_HASH,
    });
  });

  it("lower-cases capitalised keys", () => {
    const capitalised = INBOUND.replace("status=", "Status=").replace("browserurl=", "BrowserUrl=").replace("&hash=", "&Hash=");
    expect(verifyPaynowMessage(capitalised, DOC_KEY)?.browserurl).toBe(
      "https://staging.paynow.co.zw/Payment/ConfirmPayment/9510",
    );
  });

  it("refuses a tampered value", () => {
    expect(verifyPaynowMessage(INBOUND.replace("ConfirmPayment%2f9510", "ConfirmPayment%2f9511"), DOC_KEY)).toBeNull();
    expect(verifyPaynowMessage(INBOUND.replace("paynowreference=9510", "paynowreference=9511"), DOC_KEY)).toBeNull();
  });

  it("refuses a missing or empty hash", () => {
    expect(verifyPaynowMessage(INBOUND_FIELDS, DOC_KEY)).toBeNull();
    expect(verifyPaynowMessage(`${INBOUND_FIELDS}&hash=`, DOC_KEY)).toBeNull();
  });

  it("refuses the right message under another key", () => {
    expect(verifyPaynowMessage(INBOUND, "3e9fed89-60e1-4ce5-ab6e-6b1eb2d4f978")).toBeNull();
  });

  it("refuses an error reply, which carries no hash", () => {
    expect(verifyPaynowMessage("Status=Error&Error=Invalid+amount+field", DOC_KEY)).toBeNull();
  });
});
