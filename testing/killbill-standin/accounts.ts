import { randomUUID } from "node:crypto";
import { dateTime } from "./dates.ts";
import { refusals } from "./errors.ts";
import { accountCreation } from "./events.ts";
import type { AccountJson } from "./json-types.ts";
import { centsToAmount, invoiceBalanceCents, type AccountRecord, type Ledger } from "./ledger.ts";
import type { TAccountBody } from "./request-schemas.ts";

/** POST /1.0/kb/accounts: a unique externalKey (the account id when none is given). */
export function createAccount(ledger: Ledger, body: TAccountBody): AccountRecord {
  const accountId = randomUUID();
  const externalKey = body.externalKey ?? accountId;
  if (findAccountByKey(ledger, externalKey)) throw refusals.accountExists(externalKey);
  const account: AccountRecord = { accountId, externalKey, referenceTime: ledger.now(), fields: body, externalPaymentMethodId: null };
  ledger.state.accounts.set(accountId, account);
  ledger.emit(accountCreation(accountId));
  return account;
}

export function findAccountByKey(ledger: Ledger, externalKey: string): AccountRecord | undefined {
  return [...ledger.state.accounts.values()].find((account) => account.externalKey === externalKey);
}

export function requireAccount(ledger: Ledger, accountId: string): AccountRecord {
  const account = ledger.state.accounts.get(accountId);
  if (!account) throw refusals.accountNotFound(accountId);
  return account;
}

export function requireAccountByKey(ledger: Ledger, externalKey: string): AccountRecord {
  const account = findAccountByKey(ledger, externalKey);
  if (!account) throw refusals.accountKeyNotFound(externalKey);
  return account;
}

function accountBalanceCents(ledger: Ledger, accountId: string): number {
  return [...ledger.state.invoices.values()]
    .filter((invoice) => invoice.accountId === accountId)
    .reduce((sum, invoice) => sum + invoiceBalanceCents(ledger.state, invoice), 0);
}

/** The Account JSON; accountBalance/accountCBA only when asked (accountWithBalance[AndCBA]). */
export function accountJson(ledger: Ledger, account: AccountRecord, withBalance = false): AccountJson {
  const fields = account.fields;
  return {
    accountId: account.accountId,
    name: fields.name ?? null,
    firstNameLength: fields.firstNameLength ?? null,
    externalKey: account.externalKey,
    email: fields.email ?? null,
    billCycleDayLocal: fields.billCycleDayLocal ?? 0,
    currency: fields.currency ?? null,
    parentAccountId: fields.parentAccountId ?? null,
    isPaymentDelegatedToParent: fields.isPaymentDelegatedToParent ?? false,
    paymentMethodId: null,
    referenceTime: dateTime(account.referenceTime),
    timeZone: fields.timeZone ?? "UTC",
    address1: fields.address1 ?? null,
    address2: fields.address2 ?? null,
    postalCode: fields.postalCode ?? null,
    company: fields.company ?? null,
    city: fields.city ?? null,
    state: fields.state ?? null,
    country: fields.country ?? null,
    locale: fields.locale ?? null,
    phone: fields.phone ?? null,
    notes: fields.notes ?? null,
    isMigrated: fields.isMigrated ?? false,
    accountBalance: withBalance ? centsToAmount(accountBalanceCents(ledger, account.accountId)) : null,
    accountCBA: withBalance ? 0 : null,
    auditLogs: [],
  };
}
