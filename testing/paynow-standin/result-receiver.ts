// A merchant result URL for tests (TEST FIXTURE): records each POST's raw body and answers with
// the next scripted HTTP status (200 once the script is used up).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface ResultReceiver {
  /** e.g. http://127.0.0.1:PORT/paynow/result */
  readonly url: string;
  /** Raw bodies, in arrival order. */
  readonly bodies: readonly string[];
  /** HTTP statuses to answer with, one per request, before falling back to 200. */
  script(statuses: number[]): void;
  close(): Promise<void>;
}

export async function startResultReceiver(): Promise<ResultReceiver> {
  const bodies: string[] = [];
  let scripted: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      bodies.push(Buffer.concat(chunks).toString("utf8"));
      res.writeHead(scripted.shift() ?? 200, { "content-type": "text/plain" });
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/paynow/result`,
    bodies,
    script(statuses) {
      scripted = [...statuses];
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

/** Waits until `check` returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => T | undefined | false, timeoutMs = 3_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
