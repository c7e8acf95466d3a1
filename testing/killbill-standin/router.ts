import { refusals } from "./errors.ts";

/** Path patterns with `:name` segments, e.g. `/1.0/kb/accounts/:accountId/invoices`. */

export interface RouteShape {
  method: string;
  path: string;
}

export type PathParams = Record<string, string>;

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw refusals.badRequest(`Malformed path segment ${segment}`);
  }
}

export function matchPath(pattern: string, path: string): PathParams | null {
  const wanted = pattern.split("/");
  const given = path.replace(/\/+$/, "").split("/");
  if (wanted.length !== given.length) return null;
  const params: PathParams = {};
  for (const [index, segment] of wanted.entries()) {
    const actual = given[index] ?? "";
    if (segment.startsWith(":")) {
      if (actual === "") return null;
      params[segment.slice(1)] = decodeSegment(actual);
    } else if (segment !== actual) {
      return null;
    }
  }
  return params;
}

/** The route for method + path; 404 when no route has the path, 405 when none has the method. */
export function findRoute<R extends RouteShape>(routes: readonly R[], method: string, path: string): { route: R; params: PathParams } {
  let pathKnown = false;
  for (const route of routes) {
    const params = matchPath(route.path, path);
    if (!params) continue;
    pathKnown = true;
    if (route.method === method) return { route, params };
  }
  if (pathKnown) throw refusals.methodNotAllowed(`HTTP ${method} is not allowed on ${path}`);
  throw refusals.notFound(`No resource at ${path}`);
}
