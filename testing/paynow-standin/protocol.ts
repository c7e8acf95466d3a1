// Paynow message formats for the stand-in (TEST FIXTURE): checking initiate requests and encoding
// replies the way Paynow does (url-encoded, lower-case %xx escapes, hash over the reply's values).
import { paynowHash, parsePaynowPairs, type PaynowPairs } from "../../server/billing/paynow/hash.ts";

export type MobileMethod = "ecocash" | "onemoney";

export interface InitiateRequest {
  reference: string;
  amount: string;
  additionalInfo: string;
  returnUrl: string;
  resultUrl: string;
  authEmail: string | null;
  phone: string | null;
  method: MobileMethod | null;
  /** Keys as received, in order (to check what a client sends). */
  fieldOrder: string[];
}

export interface MerchantSettings {
  integrationId: string;
  integrationKey: string;
  merchantEmail?: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

const CAPITALISED: Readonly<Record<string, string>> = {
  status: "Status",
  error: "Error",
  browserurl: "BrowserUrl",
  pollurl: "PollUrl",
  paynowreference: "PaynowReference",
  instructions: "Instructions",
  reference: "Reference",
  amount: "Amount",
  hash: "Hash",
};

/** Form encoding as Paynow (.NET) writes it: `+` for spaces, lower-case `%xx`. */
export function formEncode(pairs: PaynowPairs): string {
  return new URLSearchParams(pairs).toString().replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
}

/** An Ok reply, a poll reply or a status update: the fields, then `hash` over their values. */
export function signedMessage(pairs: PaynowPairs, integrationKey: string, capitaliseKeys = false): string {
  const signed: PaynowPairs = [...pairs, ["hash", paynowHash(pairs, integrationKey)]];
  return formEncode(capitaliseKeys ? signed.map(([key, value]) => [CAPITALISED[key] ?? key, value]) : signed);
}

/** Paynow's error reply: capitalised keys and no hash (docs: `Status=Error&Error=...`). */
export function errorReply(message: string): string {
  return formEncode([
    ["Status", "Error"],
    ["Error", message],
  ]);
}

function isUrl(value: string | undefined, protocols: readonly string[]): boolean {
  if (!value) return false;
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

function isValidAmount(amount: string | undefined): boolean {
  return amount !== undefined && /^\d+\.\d{2}$/.test(amount) && Number(amount) > 0;
}

const fail = (error: string): Checked<never> => ({ ok: false, error });

/** The checks both endpoints share: integration id, hash, status, reference, amount, URLs. */
function checkCommon(pairs: PaynowPairs, fields: Record<string, string>, merchant: MerchantSettings): string | null {
  if (fields.id !== merchant.integrationId) return "Invalid Id.";
  const hash = fields.hash ?? "";
  if (hash.toUpperCase() !== paynowHash(pairs, merchant.integrationKey)) return "Invalid Hash";
  if (fields.status !== "Message") return "Invalid status field";
  if (!fields.reference) return "Missing reference";
  if (!isValidAmount(fields.amount)) return "Invalid amount field";
  if (!isUrl(fields.returnurl, ["http:", "https:"])) return "Invalid returnurl field";
  // The stand-in delivers status updates over plain HTTP only (node:http).
  if (!isUrl(fields.resulturl, ["http:"])) return "Invalid resulturl field (the stand-in posts to http:// only)";
  return null;
}

function checkMobile(fields: Record<string, string>, merchant: MerchantSettings): string | null {
  if (fields.method !== "ecocash" && fields.method !== "onemoney") {
    return "Invalid method (the stand-in implements ecocash and onemoney)";
  }
  if (!/^07\d{8}$/.test(fields.phone ?? "")) return "Invalid phone number";
  const email = (fields.authemail ?? "").trim().toLowerCase();
  if (merchant.merchantEmail && email !== merchant.merchantEmail.trim().toLowerCase()) {
    return "In test mode authemail must be the merchant's login email";
  }
  return null;
}

/** Checks an initiatetransaction (`web`) or remotetransaction (`mobile`) body. */
export function checkInitiateRequest(
  rawBody: string,
  kind: "web" | "mobile",
  merchant: MerchantSettings,
): Checked<InitiateRequest> {
  const pairs = parsePaynowPairs(rawBody);
  const fields = Object.fromEntries(pairs.map(([key, value]) => [key.toLowerCase(), value]));
  const error = checkCommon(pairs, fields, merchant) ?? (kind === "mobile" ? checkMobile(fields, merchant) : null);
  if (error) return fail(error);
  return {
    ok: true,
    value: {
      reference: fields.reference as string,
      amount: fields.amount as string,
      additionalInfo: fields.additionalinfo ?? "",
      returnUrl: fields.returnurl as string,
      resultUrl: fields.resulturl as string,
      authEmail: fields.authemail || null,
      phone: kind === "mobile" ? (fields.phone as string) : null,
      method: kind === "mobile" ? (fields.method as MobileMethod) : null,
      fieldOrder: pairs.map(([key]) => key),
    },
  };
}
