// The HTTP side of the Odoo test image (port 8069): health, login page, XML-RPC/JSON-RPC
// version and db services, and the stand-in-only attachment endpoint.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  authenticate,
  databaseExists,
  databaseServerUp,
  errorMessage,
  isInitialized,
  listOwnedDatabases,
  storeAttachment,
  withClient,
  type PgTarget,
} from "./database.ts";
import type { OdooLogger } from "./odoo-log.ts";
import { filterDatabases, isValidDbName, seriesMajor, versionInfo, type OdooConfig } from "./options.ts";
import { faultResponse, methodResponse, parseMethodCall, type XmlRpcValue } from "./xmlrpc.ts";

export type StandinMode = "normal" | "crash-on-boot" | "never-healthy" | "slow-init";

export interface AppContext {
  config: OdooConfig;
  series: string;
  mode: StandinMode;
  target: PgTarget;
  log: OdooLogger;
  /** Databases being loaded (init/update) by this process; requests for them wait, like Odoo's registry lock. */
  loading: Map<string, Promise<unknown>>;
}

const MAX_BODY_BYTES = 128 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

class RpcError extends Error {
  constructor(
    readonly kind: "access_denied" | "application",
    message: string,
  ) {
    super(message);
  }
}

/** json.dumps() spacing for flat objects: `{"status": "pass"}`. */
export function pythonJson(value: Record<string, string | number | boolean | null>): string {
  return `{${Object.entries(value)
    .map(([key, item]) => `${JSON.stringify(key)}: ${JSON.stringify(item)}`)
    .join(", ")}}`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new HttpError(413, "Request Entity Too Large");
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** With --proxy-mode and an X-Forwarded-Host header, werkzeug's ProxyFix applies (as Odoo 17). */
function forwarded(ctx: AppContext, req: IncomingMessage, name: string): string | undefined {
  const host = req.headers["x-forwarded-host"];
  if (!ctx.config.proxyMode || typeof host !== "string" || host === "") return undefined;
  const value = req.headers[name];
  return typeof value === "string" && value !== "" ? (value.split(",")[0]?.trim() ?? "") : undefined;
}

function requestHost(ctx: AppContext, req: IncomingMessage): string {
  return forwarded(ctx, req, "x-forwarded-host") ?? req.headers.host ?? "";
}

/** request.httprequest.url_root without the trailing slash: user_agent_env['base_location']. */
function urlRoot(ctx: AppContext, req: IncomingMessage): string {
  const scheme = forwarded(ctx, req, "x-forwarded-proto") ?? "http";
  return `${scheme}://${requestHost(ctx, req)}`;
}

function werkzeugTime(date: Date): string {
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const pad = (value: number): string => String(value).padStart(2, "0");
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(
    date.getUTCMinutes(),
  )}:${pad(date.getUTCSeconds())}`;
}

/** odoo.service.db.list_dbs(force) followed by odoo.http.db_filter. */
async function dbList(ctx: AppContext, host: string, force: boolean): Promise<string[]> {
  if (!ctx.config.listDb && !force) throw new RpcError("access_denied", "Access Denied");
  let dbs: string[];
  if (ctx.config.dbFilter === "" && ctx.config.dbNames.length > 0) dbs = [...ctx.config.dbNames].sort();
  else {
    try {
      dbs = await listOwnedDatabases(ctx.target);
    } catch (error) {
      ctx.log.error("odoo.service.db", `Listing databases failed: ${errorMessage(error)}`);
      dbs = [];
    }
  }
  return filterDatabases(dbs, ctx.config.dbFilter, host);
}

/** ensure_db(): ?db= if it passes the filter, else the only database there is. */
async function monodb(ctx: AppContext, req: IncomingMessage, requested: string | null): Promise<string | null> {
  const host = requestHost(ctx, req);
  const dbs = await dbList(ctx, host, true);
  if (requested && dbs.includes(requested)) return requested;
  return dbs.length === 1 ? (dbs[0] as string) : null;
}

/** Waits for this process's own init of `db`, then checks that the database can serve. */
async function readyDatabase(ctx: AppContext, db: string): Promise<void> {
  await ctx.loading.get(db)?.catch(() => undefined);
  if (!isValidDbName(db)) throw new HttpError(500, `invalid database name ${db}`);
  const initialized = await withClient(ctx.target, db, (client) => isInitialized(client)).catch((error: unknown) => {
    throw new HttpError(500, `database ${db}: ${errorMessage(error)}`);
  });
  if (!initialized) throw new HttpError(500, `Database ${db} not initialized, you can force it with \`-i base\``);
}

function homePath(series: string): string {
  return seriesMajor(series) >= 18 ? "/odoo" : "/web";
}

interface Session {
  db: string | null;
  uid: number | null;
}

/** Odoo keeps sessions in <data_dir>/sessions; the test image keeps them in memory. */
const sessions = new Map<string, Session>();
const MAX_SESSIONS = 10_000;

function saveSession(id: string, session: Session): void {
  sessions.delete(id);
  sessions.set(id, session);
  for (const oldest of sessions.keys()) {
    if (sessions.size <= MAX_SESSIONS) break;
    sessions.delete(oldest);
  }
}

/** Odoo's request.csrf_token(): `<hmac-sha1(secret, sid + max_ts)>o<max_ts>`, valid a year. */
const CSRF_SECRET = randomBytes(32);
const CSRF_SECONDS = 365 * 24 * 3600;

export function csrfToken(sid: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
  const maxTs = nowSeconds + CSRF_SECONDS;
  return `${createHmac("sha1", CSRF_SECRET).update(`${sid}${maxTs}`).digest("hex")}o${maxTs}`;
}

export function validateCsrf(sid: string, token: string, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  const [hm, maxTsText, ...rest] = token.split("o");
  if (hm === undefined || maxTsText === undefined || rest.length > 0 || !/^\d+$/.test(maxTsText)) return false;
  if (Number(maxTsText) < nowSeconds) return false;
  const expected = createHmac("sha1", CSRF_SECRET).update(`${sid}${maxTsText}`).digest("hex");
  return hm.length === expected.length && timingSafeEqual(Buffer.from(hm), Buffer.from(expected));
}

function sessionId(req: IncomingMessage): string | undefined {
  const cookie = req.headers.cookie ?? "";
  for (const part of cookie.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === "session_id") return rest.join("=");
  }
  return undefined;
}

function newSessionCookie(): { id: string; header: string } {
  const id = randomBytes(30).toString("base64url");
  return { id, header: `session_id=${id}; Expires=${new Date(Date.now() + 7 * 86_400_000).toUTCString()}; Max-Age=604800; HttpOnly; Path=/; SameSite=Lax` };
}

export function loginPage(
  db: string,
  series: string,
  options: { error?: string | undefined; login?: string | undefined; csrf: string; showDb: boolean; redirect?: string | undefined },
): string {
  const dbField = options.showDb
    ? `<div class="mb-3 field-db"><label for="db" class="col-form-label">Database</label>` +
      `<div class="input-group"><input type="text" name="db" value="${escapeHtml(db)}" id="db" class="form-control" required="required" readonly="readonly"/>` +
      `<a role="button" href="/web/database/selector" class="btn btn-secondary">Select</a></div></div>`
    : `<input type="hidden" name="db" value="${escapeHtml(db)}"/>`;
  const error = options.error ? `<p class="alert alert-danger" role="alert">${escapeHtml(options.error)}</p>` : "";
  return `<!DOCTYPE html>
<html lang="en-US" data-database="${escapeHtml(db)}">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<meta name="generator" content="Odoo"/>
<title>Log in | ${escapeHtml(db)} | Odoo</title>
</head>
<body class="bg-100">
<main class="container py-5">
<div class="card border-0 mx-auto o_database_list" style="max-width: 300px;">
<div class="card-body">
<div class="text-center pb-3 border-bottom mb-4"><img src="/web/binary/company_logo?dbname=${encodeURIComponent(db)}" alt="Logo" style="max-height:120px; max-width: 100%; width:auto"/></div>
<form class="oe_login_form" role="form" method="post" action="/web/login">
<input type="hidden" name="csrf_token" value="${escapeHtml(options.csrf)}"/>
${dbField}
<div class="mb-3 field-login"><label for="login" class="form-label">Email</label><input type="text" placeholder="Email" name="login" id="login" value="${escapeHtml(options.login ?? "")}" required="required" autocapitalize="off" autocomplete="username" class="form-control"/></div>
<div class="mb-3"><label for="password" class="form-label">Password</label><input type="password" placeholder="Password" name="password" id="password" required="required" autocomplete="current-password" maxlength="4096" class="form-control"/></div>
${error}
<div class="clearfix oe_login_buttons text-center gap-1 d-grid mb-1 pt-3"><button type="submit" class="btn btn-primary">Log in</button></div>
<input type="hidden" name="redirect" value="${escapeHtml(options.redirect ?? "")}"/>
</form>
<div class="text-center small mt-4 pt-3 border-top"><a href="https://www.odoo.com?utm_source=db&amp;utm_medium=auth" target="_blank">Powered by <span>Odoo</span></a> ${escapeHtml(series)}</div>
</div>
</div>
</main>
</body>
</html>
`;
}

async function dispatchRpc(ctx: AppContext, req: IncomingMessage, service: string, method: string, params: XmlRpcValue[]): Promise<XmlRpcValue> {
  const info = versionInfo(ctx.series);
  const str = (index: number): string => {
    const value = params[index];
    return typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
  };
  if (service === "common") {
    switch (method) {
      case "version":
        return { ...info, server_version_info: [...info.server_version_info] };
      case "about":
        return "See http://openerp.com";
      case "login":
      case "authenticate": {
        const db = str(0);
        if (!isValidDbName(db)) return false;
        await ctx.loading.get(db)?.catch(() => undefined);
        // login() passes {'interactive': False}; authenticate() the caller's user_agent_env.
        const userAgentEnv = method === "authenticate" ? params[3] : undefined;
        const isStruct = (value: XmlRpcValue | undefined): value is { [key: string]: XmlRpcValue } =>
          value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof Date) && !Buffer.isBuffer(value);
        const location = isStruct(userAgentEnv) ? userAgentEnv.base_location : undefined;
        const baseLocation = typeof location === "string" ? location : undefined;
        try {
          return await authenticate(ctx.target, db, str(1), str(2), { baseLocation });
        } catch (error) {
          throw new RpcError("application", errorMessage(error));
        }
      }
      default:
        throw new RpcError("application", `NameError: method not available ${method}`);
    }
  }
  if (service === "db") {
    switch (method) {
      case "server_version":
        return info.server_version;
      case "list":
        return dbList(ctx, requestHost(ctx, req), false).then((dbs) => dbs);
      case "db_exist":
        return databaseExists(ctx.target, str(0)).catch(() => false);
      case "list_lang":
        return [["en_US", "English (US)"]];
      case "create_database":
      case "duplicate_database":
      case "drop":
      case "dump":
      case "restore":
      case "rename":
      case "change_admin_password":
      case "migrate_databases":
        if (!ctx.config.listDb) throw new RpcError("access_denied", "Access Denied");
        if (str(0) !== ctx.config.adminPasswd) throw new RpcError("access_denied", "Access Denied");
        throw new RpcError("application", `db.${method} is not implemented by the Odoo test image`);
      default:
        throw new RpcError("application", `NameError: method not available ${method}`);
    }
  }
  if (service === "object") throw new RpcError("application", "the object service is not implemented by the Odoo test image");
  throw new RpcError("application", `KeyError: '${service}'`);
}

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

function send(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string | string[]> = {}): void {
  const buffer = typeof body === "string" ? Buffer.from(body) : body;
  res.writeHead(status, { "Content-Length": String(buffer.length), ...headers });
  res.end(res.req.method === "HEAD" ? undefined : buffer);
}

const HTML = { "Content-Type": "text/html; charset=utf-8" };
const JSON_HEADERS = { "Content-Type": "application/json" };

function notFound(res: ServerResponse): void {
  send(
    res,
    404,
    "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n",
    HTML,
  );
}

export function createRequestHandler(ctx: AppContext): (req: IncomingMessage, res: ServerResponse) => void {
  const health: Handler = async (req, res, url) => {
    const headers = { ...JSON_HEADERS, "Cache-Control": "no-store" };
    if (ctx.mode === "never-healthy") {
      send(res, 503, pythonJson({ status: "fail" }), headers);
      return;
    }
    // Odoo serves each request against the only database the filter leaves, and opening its
    // registry waits while `-i` holds it: /web/health answers once the install is done, without
    // querying the database itself.
    const candidates = filterDatabases(ctx.config.dbNames, ctx.config.dbFilter, requestHost(ctx, req));
    if (candidates.length === 1) await ctx.loading.get(candidates[0] as string)?.catch(() => undefined);
    const probe = url.searchParams.get("db_server_status");
    if (probe !== null && probe !== "") {
      const up = await databaseServerUp(ctx.target);
      send(res, up ? 200 : 500, pythonJson({ status: up ? "pass" : "fail", db_server_status: up }), headers);
      return;
    }
    send(res, 200, pythonJson({ status: "pass" }), headers);
  };

  const login: Handler = async (req, res, url) => {
    let form = new URLSearchParams();
    if (req.method === "POST") form = new URLSearchParams((await readBody(req, 1024 * 1024)).toString("utf8"));
    const requested = form.get("db") ?? url.searchParams.get("db");
    const db = await monodb(ctx, req, requested);
    if (db === null) {
      send(res, 303, "", { Location: "/web/database/selector" });
      return;
    }
    await readyDatabase(ctx, db);
    // The request's session (a new one when the cookie names none this process knows).
    const cookieSid = sessionId(req);
    let sid = cookieSid !== undefined && sessions.has(cookieSid) ? cookieSid : undefined;
    const headers: Record<string, string | string[]> = { ...HTML };
    if (sid === undefined) {
      const cookie = newSessionCookie();
      sid = cookie.id;
      saveSession(sid, { db, uid: null });
      headers["Set-Cookie"] = cookie.header;
    }
    const showDb = ctx.config.listDb && ctx.config.dbNames.length !== 1;
    // request.redirect(..., local=True): only a path on this server.
    const given = form.get("redirect") ?? url.searchParams.get("redirect") ?? "";
    const redirect = given.startsWith("/") && !given.startsWith("//") && !given.startsWith("/\\") ? given : "";
    const page = (error?: string, loginName?: string): string => loginPage(db, ctx.series, { error, login: loginName, csrf: csrfToken(sid), showDb, redirect });
    if (req.method === "POST") {
      // Odoo checks the CSRF token of every POST to an http route (the form's csrf_token field).
      const token = form.get("csrf_token") ?? "";
      if (!validateCsrf(sid, token)) {
        ctx.log.warning("odoo.http", token === "" ? `No CSRF validation token provided for path '/web/login'` : `CSRF validation failed on path '/web/login'`);
        send(
          res,
          400,
          "<!doctype html>\n<html lang=en>\n<title>400 Bad Request</title>\n<h1>Bad Request</h1>\n<p>Session expired (invalid CSRF token)</p>\n",
          headers,
        );
        return;
      }
      const loginName = form.get("login") ?? "";
      const uid = await authenticate(ctx.target, db, loginName, form.get("password") ?? "", { baseLocation: urlRoot(ctx, req) });
      if (uid !== false) {
        // session.authenticate rotates the session id.
        sessions.delete(sid);
        const session = newSessionCookie();
        saveSession(session.id, { db, uid });
        ctx.log.info("odoo.addons.base.models.res_users", `Login successful for db:${db} login:${loginName} from ${req.socket.remoteAddress ?? "n/a"}`, db);
        send(res, 303, "", { Location: redirect || homePath(ctx.series), "Set-Cookie": session.header });
        return;
      }
      ctx.log.info("odoo.addons.base.models.res_users", `Login failed for db:${db} login:${loginName} from ${req.socket.remoteAddress ?? "n/a"}`, db);
      send(res, 200, page("Wrong login/password", loginName), headers);
      return;
    }
    const current = sessions.get(sid);
    if (redirect !== "" && current?.uid != null) {
      send(res, 303, "", { Location: redirect });
      return;
    }
    send(res, 200, page(), headers);
  };

  const webClient: Handler = async (req, res) => {
    const id = sessionId(req);
    const session = id ? sessions.get(id) : undefined;
    if (!session || session.uid === null || session.db === null) {
      send(res, 303, "", { Location: `/web/login?redirect=${encodeURIComponent(req.url ?? "/")}` });
      return;
    }
    send(
      res,
      200,
      `<!DOCTYPE html>\n<html><head><meta charset="utf-8"/><title>Odoo</title></head><body class="o_web_client" data-database="${escapeHtml(
        session.db,
      )}" data-uid="${session.uid}"></body></html>\n`,
      HTML,
    );
  };

  const selector: Handler = async (req, res) => {
    if (!ctx.config.listDb) {
      send(res, 403, "<!doctype html>\n<title>403 Forbidden</title>\n<h1>Forbidden</h1>\n<p>The database manager has been disabled by the administrator</p>\n", HTML);
      return;
    }
    const dbs = await dbList(ctx, requestHost(ctx, req), true);
    const items = dbs.map((db) => `<a class="list-group-item" href="/web?db=${encodeURIComponent(db)}">${escapeHtml(db)}</a>`).join("\n");
    send(res, 200, `<!DOCTYPE html>\n<html><head><meta charset="utf-8"/><title>Odoo</title></head><body><div class="list-group">\n${items}\n</div></body></html>\n`, HTML);
  };

  const xmlrpc: Handler = async (req, res, url) => {
    const service = url.pathname.split("/").filter(Boolean).pop() ?? "";
    let body: string;
    try {
      const call = parseMethodCall((await readBody(req, 16 * 1024 * 1024)).toString("utf8"));
      body = methodResponse(await dispatchRpc(ctx, req, service, call.methodName, call.params));
    } catch (error) {
      if (error instanceof HttpError) throw error;
      const accessDenied = error instanceof RpcError && error.kind === "access_denied";
      body = faultResponse(accessDenied ? 3 : 1, errorMessage(error));
    }
    send(res, 200, body, { "Content-Type": "text/xml; charset=utf-8" });
  };

  const jsonRpc = async (req: IncomingMessage, res: ServerResponse, call: (params: Record<string, unknown>) => Promise<unknown>): Promise<void> => {
    let id: unknown = null;
    let reply: unknown;
    try {
      const request = JSON.parse((await readBody(req, 16 * 1024 * 1024)).toString("utf8")) as { id?: unknown; params?: Record<string, unknown> };
      id = request.id ?? null;
      reply = { jsonrpc: "2.0", id, result: await call(request.params ?? {}) };
    } catch (error) {
      const name = error instanceof RpcError && error.kind === "access_denied" ? "odoo.exceptions.AccessDenied" : "builtins.Exception";
      const message = errorMessage(error);
      reply = { jsonrpc: "2.0", id, error: { code: 200, message: "Odoo Server Error", data: { name, debug: "", message, arguments: [message], context: {} } } };
    }
    send(res, 200, JSON.stringify(reply), JSON_HEADERS);
  };

  const attachment: Handler = async (req, res, url) => {
    const db = await monodb(ctx, req, url.searchParams.get("db"));
    if (db === null) {
      send(res, 404, JSON.stringify({ error: "no database selected (pass ?db=)" }), JSON_HEADERS);
      return;
    }
    await readyDatabase(ctx, db);
    const content = await readBody(req);
    const name = url.searchParams.get("name") || "standin-attachment.bin";
    const mimetype = url.searchParams.get("mimetype") || req.headers["content-type"] || "application/octet-stream";
    const row = await withClient(ctx.target, db, (client) =>
      storeAttachment(client, ctx.config.dataDir, db, { content, name, mimetype }),
    );
    ctx.log.info("odoo.standin", `stored attachment ${row.id} (${row.storeFname}, ${row.fileSize} bytes)`, db);
    send(res, 200, JSON.stringify({ id: row.id, sha1: row.sha1, store_fname: row.storeFname, file_size: row.fileSize, db }), JSON_HEADERS);
  };

  const route = (method: string, pathname: string): Handler | undefined => {
    const get = method === "GET" || method === "HEAD";
    if (pathname === "/web/health" && get) return health;
    if (pathname === "/web/login" && (get || method === "POST")) return login;
    if ((pathname === "/web" || pathname === "/odoo") && get) return webClient;
    if (pathname === "/" && get) return async (_req, res) => send(res, 303, "", { Location: homePath(ctx.series) });
    if (pathname === "/web/database/selector" && get) return selector;
    if (/^\/xmlrpc\/(2\/)?(common|db|object)$/.test(pathname) && method === "POST") return xmlrpc;
    if (pathname === "/jsonrpc" && method === "POST") {
      return (req, res) =>
        jsonRpc(req, res, (params) =>
          dispatchRpc(ctx, req, String(params.service ?? ""), String(params.method ?? ""), (Array.isArray(params.args) ? params.args : []) as XmlRpcValue[]),
        );
    }
    if (pathname === "/web/webclient/version_info" && method === "POST") {
      return (req, res) => jsonRpc(req, res, async () => versionInfo(ctx.series));
    }
    if (pathname === "/standin/attachment" && method === "POST") return attachment;
    return undefined;
  };

  return (req, res) => {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? "/", "http://localhost");
    const handler = route(req.method ?? "GET", url.pathname);
    res.on("finish", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const remote = req.socket.remoteAddress?.replace(/^::ffff:/, "") ?? "-";
      ctx.log.info(
        "werkzeug",
        `${remote} - - [${werkzeugTime(new Date())}] "${req.method} ${req.url} HTTP/${req.httpVersion}" ${res.statusCode} - 0 0.000 ${seconds.toFixed(3)}`,
      );
    });
    if (!handler) {
      req.resume();
      notFound(res);
      return;
    }
    handler(req, res, url).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      ctx.log.error("odoo.http", `Exception during request handling: ${errorMessage(error)}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      send(res, status, `<!doctype html>\n<title>${status} Error</title>\n<h1>Internal Server Error</h1>\n<p>${escapeHtml(errorMessage(error))}</p>\n`, HTML);
    });
  };
}
