import { describe, expect, it } from "vitest";
import { ADMIN_PROCEDURES } from "@/e2e/fixtures/admin-procedures";
import { appRouter } from "./root";

describe("the e2e list of admin procedures", () => {
  it("names every procedure of the admin router with its type, so the 403 test covers them all", () => {
    // At runtime the router keeps its procedures flat, keyed by full path ("admin.customers.get").
    const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>;
    const fromRouter = Object.entries(procedures)
      .filter(([path]) => path.startsWith("admin."))
      .map(([path, procedure]) => ({ path, type: procedure._def.type }))
      .sort((a, b) => a.path.localeCompare(b.path));
    const listed = [...ADMIN_PROCEDURES].map((p) => ({ path: p.path, type: p.type })).sort((a, b) => a.path.localeCompare(b.path));
    expect(fromRouter.length).toBeGreaterThan(10);
    expect(listed).toEqual(fromRouter);
  });
});
