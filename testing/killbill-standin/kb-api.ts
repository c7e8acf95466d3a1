import type { IncomingMessage } from "node:http";
import { refusals } from "./errors.ts";
import { basicCredentials, header, locationFor, mediaType, parseJson, readBody, type Reply } from "./http-io.ts";
import { kbRoutes, type BodyKind } from "./kb-routes.ts";
import type { Ledger } from "./ledger.ts";
import { findRoute } from "./router.ts";

/**
 * A request under /1.0/kb, checked in Kill Bill's order: HTTP Basic (401), the route (404/405),
 * the tenant's X-Killbill-ApiKey/ApiSecret (401), X-Killbill-CreatedBy on writes (400), the
 * body's media type (415) and JSON (400); then the endpoint.
 */

export interface KbCredentials {
  username: string;
  password: string;
  apiKey: string;
  apiSecret: string;
}

function checkBasicAuth(request: IncomingMessage, credentials: KbCredentials): void {
  const given = basicCredentials(request);
  if (!given) throw refusals.unauthorized("Authentication required (HTTP Basic)");
  if (given.username !== credentials.username || given.password !== credentials.password) {
    throw refusals.unauthorized(`Invalid credentials for user ${given.username}`);
  }
}

function checkTenant(request: IncomingMessage, credentials: KbCredentials): void {
  const apiKey = header(request, "X-Killbill-ApiKey");
  const apiSecret = header(request, "X-Killbill-ApiSecret");
  if (!apiKey || !apiSecret) throw refusals.unauthorized("Missing X-Killbill-ApiKey / X-Killbill-ApiSecret headers");
  if (apiKey !== credentials.apiKey || apiSecret !== credentials.apiSecret) {
    throw refusals.unauthorized(`No tenant for api key ${apiKey} and this secret`);
  }
}

function checkCreatedBy(request: IncomingMessage): void {
  if (!header(request, "X-Killbill-CreatedBy")?.trim()) throw refusals.badRequest("Header X-Killbill-CreatedBy needs to be set");
}

const XML_TYPES = ["text/xml", "application/xml"];

async function readRouteBody(request: IncomingMessage, kind: BodyKind): Promise<{ body: unknown; text: string }> {
  if (kind === "json" && mediaType(request) !== "application/json") {
    throw refusals.unsupportedMediaType(`Content-Type ${mediaType(request) || "(none)"} is not application/json`);
  }
  if (kind === "xml" && !XML_TYPES.includes(mediaType(request))) {
    throw refusals.unsupportedMediaType(`Content-Type ${mediaType(request) || "(none)"} is not text/xml`);
  }
  const text = await readBody(request);
  if (kind !== "json") return { body: undefined, text };
  if (text.trim() === "") throw refusals.badRequest("A JSON body is required");
  return { body: parseJson(text), text };
}

export async function handleKbRequest(ledger: Ledger, credentials: KbCredentials, request: IncomingMessage, url: URL): Promise<Reply> {
  checkBasicAuth(request, credentials);
  const method = request.method ?? "GET";
  const { route, params } = findRoute(kbRoutes, method, url.pathname);
  checkTenant(request, credentials);
  if (method !== "GET") checkCreatedBy(request);
  const { body, text } = await readRouteBody(request, route.body);
  return route.handle(ledger, { params, query: url.searchParams, body, text, location: (path) => locationFor(request, path) });
}
