import { describe, expect, it } from "vitest";
import { GET, POST } from "@/app/api/trpc/[trpc]/route";
import { MAX_TRPC_BATCH, MAX_TRPC_BODY_BYTES } from "@/server/trpc/request-limits";
import { trpcRequest, url, type TrpcErrorBody } from "@/testing/http";

/** The size limits of /api/trpc, through the real handler: clear 4xx answers in tRPC's envelope. */

const registerBody = (name: string) => JSON.stringify({ json: { name, email: "big@test.example", password: "Valid-Password-1!" } });

describe("body size", () => {
  it("is 128 kB", () => {
    expect(MAX_TRPC_BODY_BYTES).toBe(128 * 1024);
  });

  it("a 200 kB body announced by Content-Length is a 413 with a clear message", async () => {
    const response = await POST(
      new Request(url("/api/trpc/auth.register"), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: registerBody("x".repeat(200 * 1024)),
      }),
    );
    expect(response.status).toBe(413);
    const body = (await response.json()) as TrpcErrorBody;
    expect(body.error?.json?.data).toMatchObject({ code: "PAYLOAD_TOO_LARGE", httpStatus: 413, path: "auth.register" });
    expect(body.error?.json?.message).toBe("The request is too large: at most 128 kB.");
  });

  it("a 200 kB body streamed without Content-Length is a 413 too", async () => {
    const chunk = new TextEncoder().encode("x".repeat(8 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 200 * 1024) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const request = new Request(url("/api/trpc/auth.register"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(request.headers.get("content-length")).toBeNull();
    const response = await POST(request);
    expect(response.status).toBe(413);
    // Reading stopped at the limit: the rest of the body was never pulled.
    expect(sent).toBeLessThan(200 * 1024);
  });

  it("a body below the limit reaches the procedure: a too-long name is a field error, not a 413", async () => {
    const response = await POST(trpcRequest("mutation", "auth.register", { name: "x".repeat(100 * 1024), email: "big@test.example", password: "Valid-Password-1!" }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as TrpcErrorBody;
    expect(Object.keys(body.error?.json?.data?.fieldErrors ?? {})).toEqual(["name"]);
  });
});

describe("batch size", () => {
  const batch = (count: number) =>
    GET(
      new Request(
        url(`/api/trpc/${Array.from({ length: count }, () => "plans.list").join(",")}?batch=1&input=${encodeURIComponent("{}")}`),
      ),
    );

  it(`a batch of 50 is a 400 saying the limit is ${MAX_TRPC_BATCH}, one error per call`, async () => {
    const response = await batch(50);
    expect(response.status).toBe(400);
    const body = (await response.json()) as TrpcErrorBody[];
    expect(body).toHaveLength(50);
    expect(body[0]?.error?.json?.message).toBe("A batch may hold at most 10 calls; this one has 50.");
    expect(body[0]?.error?.json?.data).toMatchObject({ code: "BAD_REQUEST", httpStatus: 400, path: "plans.list" });
  });

  it("a batch of 11 is refused, a batch of 10 answers", async () => {
    expect((await batch(11)).status).toBe(400);
    const ok = await batch(10);
    expect(ok.status).toBe(200);
    expect((await ok.json()) as unknown[]).toHaveLength(10);
  });

  it("a batched POST of 50 mutations is refused before its body is read", async () => {
    const paths = Array.from({ length: 50 }, () => "auth.logOutEverywhere").join(",");
    const response = await POST(
      new Request(url(`/api/trpc/${paths}?batch=1`), { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }),
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as TrpcErrorBody[])).toHaveLength(50);
  });
});
