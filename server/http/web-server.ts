/**
 * The production web server (`npm run web`, scripts/run.sh): Next.js through its documented
 * custom-server API (`next({ dev: false })` + `getRequestHandler()`), behind a plain Node HTTP
 * server that knows the socket's address. `next start` only writes X-Forwarded-For from the
 * socket when the client sent none, so a client could name any address; here every request
 * (and websocket upgrade) first goes through rewriteForwardedHeaders: the client address comes
 * from the socket, and from X-Forwarded-For only through TRUSTED_PROXIES.
 * SIGTERM/SIGINT stop accepting connections, close upgraded sockets, let requests under way
 * finish (10 s at most) and exit 0.
 */
import "@/server/load-dotenv";
import { createServer, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { fileURLToPath } from "node:url";
import { trustedProxies } from "@/server/http/client-address";
import { rewriteForwardedHeaders } from "@/server/http/forwarded-headers";
import { env } from "@/server/env";
import { assertEnvOrExit } from "@/server/env-boot";
import { logger } from "@/server/logger";

const SHUTDOWN_GRACE_MS = 10_000;
/** The project directory (where .next is), whatever the working directory. */
const PROJECT_DIR = fileURLToPath(new URL("../..", import.meta.url));

async function main(): Promise<void> {
  // As `next start` does; Next and React pick their production builds from it.
  if (!process.env.NODE_ENV) Object.assign(process.env, { NODE_ENV: "production" });
  assertEnvOrExit();
  const config = env();
  const isTrusted = trustedProxies(config.TRUSTED_PROXIES);

  const { default: next } = await import("next");
  const server = createServer();
  const app = next({ dev: false, dir: PROJECT_DIR, port: config.PORT, httpServer: server });
  await app.prepare();
  const handle = app.getRequestHandler();

  server.on("request", (req, res) => {
    rewriteForwardedHeaders(req.headers, req.socket.remoteAddress, isTrusted);
    handle(req, res).catch((error: unknown) => {
      logger.error({ err: error }, "web request failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end("Internal Server Error\n");
    });
  });
  // Next attaches its own upgrade listener to httpServer; this one runs first. Upgraded sockets
  // leave the HTTP server's bookkeeping (and Next leaves ones it does not route open): they are
  // tracked here so that shutdown can close them.
  const upgraded = new Set<Duplex>();
  server.prependListener("upgrade", (req: IncomingMessage, socket: Duplex) => {
    rewriteForwardedHeaders(req.headers, req.socket.remoteAddress, isTrusted);
    upgraded.add(socket);
    socket.once("close", () => upgraded.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.PORT, () => resolve());
  });
  logger.info({ port: config.PORT, trustedProxies: config.TRUSTED_PROXIES }, "web server listening");

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "web server stopping");
    setTimeout(() => {
      logger.warn("requests still running after the grace period; closing their connections");
      server.closeAllConnections();
      process.exit(0);
    }, SHUTDOWN_GRACE_MS).unref();
    server.close(() => {
      void app.close().finally(() => process.exit(0));
    });
    server.closeIdleConnections();
    for (const socket of upgraded) socket.destroy();
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, "web server failed to start");
  process.exit(1);
});
