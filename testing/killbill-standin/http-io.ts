import type { IncomingMessage, ServerResponse } from "node:http";
import { KillbillError, refusals } from "./errors.ts";

/** Answers are values: a handler returns a Reply, one function writes it. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

const JSON_TYPE = "application/json";
const MAX_BODY_BYTES = 5 * 1024 * 1024;

export function jsonReply(value: unknown, status = 200): Reply {
  return { status, headers: { "Content-Type": JSON_TYPE }, body: JSON.stringify(value) };
}

/** Kill Bill's create answer: 201, Location, Content-Type application/json and an empty body. */
export function createdReply(location: string): Reply {
  return { status: 201, headers: { Location: location, "Content-Type": JSON_TYPE }, body: "" };
}

export function noContentReply(): Reply {
  return { status: 204 };
}

export function textReply(body: string, contentType: string, status = 200): Reply {
  return { status, headers: { "Content-Type": contentType }, body };
}

export function errorReply(error: KillbillError): Reply {
  const reply = jsonReply(error.toJson(), error.status);
  if (error.status === 401) reply.headers = { ...reply.headers, "WWW-Authenticate": 'Basic realm="killbill"' };
  return reply;
}

export function writeReply(response: ServerResponse, reply: Reply): void {
  const headers: Record<string, string | number> = { ...reply.headers };
  if (reply.status !== 204) headers["Content-Length"] = Buffer.byteLength(reply.body ?? "");
  response.writeHead(reply.status, headers);
  response.end(reply.status === 204 ? undefined : reply.body ?? "");
}

export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw refusals.badRequest(`request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaType(request: IncomingMessage): string {
  return (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw refusals.badRequest(`Unable to parse JSON body: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** `user:password` of an `Authorization: Basic …` header, or null. */
export function basicCredentials(request: IncomingMessage): { username: string; password: string } | null {
  const match = /^basic\s+(\S+)$/i.exec(header(request, "authorization") ?? "");
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The URL a Location header names, built from the request's Host like Kill Bill's UriBuilder. */
export function locationFor(request: IncomingMessage, path: string): string {
  return `http://${header(request, "host") ?? "127.0.0.1"}${path}`;
}

export function asKillbillError(error: unknown): KillbillError {
  if (error instanceof KillbillError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new KillbillError(500, message, "java.lang.RuntimeException");
}
