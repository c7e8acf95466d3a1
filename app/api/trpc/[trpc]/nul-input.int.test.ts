import type { AnyProcedure } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET, POST } from "@/app/api/trpc/[trpc]/route";
import { db } from "@/server/db";
import { appRouter } from "@/server/trpc/root";
import { createTestUser } from "@/testing/accounts";
import { sessionHeaders, trpcRequest, type TrpcErrorBody } from "@/testing/http";

/**
 * Every procedure of the app router, through the real HTTP handler, with a NUL character in
 * every string position its zod input schema has (values, record keys, array elements, each
 * option of a union) and in a field no schema has: each answer is a 400 naming the field,
 * never a 5xx. The procedures are read from the router, so a new one is covered by itself.
 */

/** A zod 4 schema as far as this test looks into it. */
type ZodLike = { _zod: { def: Record<string, unknown> & { type: string } } };
type Variant = { field: string; value: unknown };

const NUL_STRING = "x\u0000y";
const join = (path: string, key: string | number) => (path ? `${path}.${key}` : String(key));
const defOf = (schema: unknown) => (schema as ZodLike)._zod.def;

/** Some value of the schema's shape (validity does not matter: the NUL check runs before parsing). */
function sample(schema: unknown): unknown {
  const def = defOf(schema);
  switch (def.type) {
    case "object":
      return Object.fromEntries(Object.entries(def.shape as Record<string, unknown>).map(([key, inner]) => [key, sample(inner)]));
    case "string":
      return "x";
    case "number":
    case "int":
      return 1;
    case "boolean":
      return false;
    case "enum":
      return Object.values(def.entries as Record<string, unknown>)[0];
    case "literal":
      return (def.values as unknown[])[0];
    case "array":
      return [];
    case "record":
      return {};
    case "union":
      return sample((def.options as unknown[])[0]);
    case "pipe":
      return sample(def.in);
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "nonoptional":
    case "readonly":
    case "catch":
      return sample(def.innerType);
    default:
      return undefined;
  }
}

/** One full value per string position of the schema, holding a NUL there and nowhere else. */
function nulVariants(schema: unknown, path = ""): Variant[] {
  const def = defOf(schema);
  const here = path || "input";
  switch (def.type) {
    case "string":
      return [{ field: here, value: NUL_STRING }];
    case "enum":
    case "literal": {
      const values = def.type === "enum" ? Object.values(def.entries as Record<string, unknown>) : (def.values as unknown[]);
      return values.some((value) => typeof value === "string") ? [{ field: here, value: NUL_STRING }] : [];
    }
    case "object": {
      const base = sample(schema) as Record<string, unknown>;
      return Object.entries(def.shape as Record<string, unknown>).flatMap(([key, inner]) =>
        nulVariants(inner, join(path, key)).map((variant) => ({ field: variant.field, value: { ...base, [key]: variant.value } })),
      );
    }
    case "array":
      return nulVariants(def.element, join(path, 0)).map((variant) => ({ field: variant.field, value: [variant.value] }));
    case "record":
      return [
        // A NUL in a key (an env var name) is named by the record's own field.
        { field: here, value: { [`K${NUL_STRING}`]: sample(def.valueType) } },
        ...nulVariants(def.valueType, join(path, "K")).map((variant) => ({ field: variant.field, value: { K: variant.value } })),
      ];
    case "union":
      return (def.options as unknown[]).flatMap((option) => nulVariants(option, path));
    case "pipe":
      return nulVariants(def.in, path);
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "nonoptional":
    case "readonly":
    case "catch":
      return nulVariants(def.innerType, path);
    default:
      return [];
  }
}

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, AnyProcedure>).map(([path, procedure]) => {
  const inputs = (procedure._def as { inputs?: unknown[] }).inputs ?? [];
  const type = procedure._def.type as "query" | "mutation" | "subscription";
  const variants = inputs.flatMap((schema) => nulVariants(schema));
  const base = inputs.length > 0 ? sample(inputs[0]) : {};
  // A field no schema knows: refused all the same (for procedures without input, the only one).
  const bogus = { field: "bogus", value: { ...(base && typeof base === "object" ? base : {}), bogus: NUL_STRING } };
  return { path, type, hasInput: inputs.length > 0, variants: [...variants, bogus] };
});

let customer: Headers;
let admin: Headers;
const users: string[] = [];

beforeAll(async () => {
  const c = await createTestUser();
  const a = await createTestUser("ADMIN");
  users.push(c.id, a.id);
  customer = await sessionHeaders(c.id);
  admin = await sessionHeaders(a.id);
});

afterAll(async () => {
  await db.session.deleteMany({ where: { userId: { in: users } } });
});

async function send(type: "query" | "mutation", path: string, input: unknown, headers: Headers) {
  const request = trpcRequest(type, path, input, headers);
  const response = await (type === "query" ? GET(request) : POST(request));
  const body = (await response.json()) as TrpcErrorBody;
  return { status: response.status, error: body.error?.json };
}

describe("a NUL character in any input of any procedure", () => {
  it("the router has the procedures this test walks, with inputs it can read", () => {
    expect(procedures.length).toBeGreaterThanOrEqual(50);
    expect(procedures.filter((p) => p.hasInput).length).toBeGreaterThanOrEqual(35);
    // The schema walk reaches nested positions: an env var's name and value, an addon.
    const create = procedures.find((p) => p.path === "instances.create")!;
    expect(create.variants.map((v) => v.field)).toEqual(
      expect.arrayContaining(["name", "subdomain", "planId", "adminEmail", "customAddons.0", "envVars", "envVars.K"]),
    );
  });

  it.each(procedures.map((p) => [p.path, p] as const))("%s answers 400 naming the field, never a 5xx", async (path, procedure) => {
    expect(procedure.type).not.toBe("subscription");
    const headers = path.startsWith("admin.") ? admin : customer;
    const type = procedure.type as "query" | "mutation";
    for (const variant of procedure.variants) {
      const label = `${path} with a NUL in ${variant.field}: ${JSON.stringify(variant.value)}`;
      const answer = await send(type, path, variant.value, headers);
      expect(answer.status, label).toBe(400);
      expect(answer.error?.data?.code, label).toBe("BAD_REQUEST");
      expect(answer.error?.data?.fieldErrors, label).toEqual({ [variant.field]: [expect.stringContaining("must not contain a NUL character")] });
      expect(answer.error?.message, label).toContain(variant.field);
      // Signed out: refused just the same (the check comes before authentication), never a 5xx.
      const anonymous = await send(type, path, variant.value, new Headers());
      expect(anonymous.status, `${label}, signed out`).toBe(400);
    }
  });
});
