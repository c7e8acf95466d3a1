import { methodCall, parseMethodResponse, type XmlRpcValue } from "./odoo-standin/xmlrpc";

/**
 * Test helpers that log in to an instance's Odoo the two ways a customer's tools and browser
 * do (Odoo's external API and its login form), against whatever answers at the URL.
 */

/** `common.login(db, login, password)`: the uid, or false. Throws on a fault or an HTTP error. */
export async function odooCommonLogin(url: string, db: string, login: string, password: string): Promise<XmlRpcValue> {
  const response = await fetch(`${url}/xmlrpc/2/common`, {
    method: "POST",
    headers: { "Content-Type": "text/xml" },
    body: methodCall("login", [db, login, password]),
  });
  if (response.status !== 200) throw new Error(`common.login answered HTTP ${response.status}`);
  const reply = parseMethodResponse(await response.text());
  if (reply.fault) throw new Error(`common.login fault ${reply.code}: ${reply.message}`);
  return reply.value;
}

/**
 * The `/web/login` form as a browser submits it (session cookie, CSRF token): true when Odoo
 * redirects into the web client, false when it shows "Wrong login/password".
 */
export async function odooFormLogin(url: string, login: string, password: string): Promise<boolean> {
  const page = await fetch(`${url}/web/login`);
  if (page.status !== 200) throw new Error(`GET /web/login answered HTTP ${page.status}`);
  const html = await page.text();
  const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(html)?.[1];
  if (!csrf) throw new Error("the login form has no CSRF token");
  const posted = await fetch(`${url}/web/login`, {
    method: "POST",
    redirect: "manual",
    headers: { Cookie: cookie, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrf_token: csrf, login, password, redirect: "" }).toString(),
  });
  if (posted.status === 303) return true;
  const body = await posted.text();
  if (posted.status === 200 && body.includes("Wrong login/password")) return false;
  throw new Error(`POST /web/login answered HTTP ${posted.status}`);
}
