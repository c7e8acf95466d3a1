import { initTRPC, TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { randomUUID } from "node:crypto";
import superjson from "superjson";
import { ZodError, z } from "zod";
import type { UserActor } from "../auth/actor";
import { resolveActor } from "../auth/resolve-actor";
import { AppError, type AppErrorCode } from "../errors";
import { findNul, nulFieldErrors, nulMessage } from "../http/find-nul";
import { logger } from "../logger";

export type TRPCContext = {
  headers: Headers;
  requestId: string;
  log: typeof logger;
  /** The signed-in user, resolved from the session row behind the cookie; null when signed out. */
  actor: UserActor | null;
};

export async function createTRPCContext(opts: { headers: Headers; requestId?: string }): Promise<TRPCContext> {
  const requestId = opts.requestId ?? opts.headers.get("x-request-id") ?? randomUUID();
  const actor = await resolveActor(opts.headers);
  return { headers: opts.headers, requestId, log: logger, actor };
}

const TRPC_CODE: Record<AppErrorCode, TRPC_ERROR_CODE_KEY> = {
  NOT_FOUND: "NOT_FOUND",
  INVALID_STATE: "CONFLICT",
  LIMIT_EXCEEDED: "TOO_MANY_REQUESTS",
  PLAN_LIMIT: "FORBIDDEN",
  CONFLICT: "CONFLICT",
  FORBIDDEN: "FORBIDDEN",
  UNAUTHORIZED: "UNAUTHORIZED",
  VALIDATION: "BAD_REQUEST",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
};

const t = initTRPC.context<TRPCContext>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const fieldErrors =
      cause instanceof ZodError
        ? z.flattenError(cause).fieldErrors
        : cause instanceof AppError
          ? (cause.fieldErrors ?? null)
          : null;
    return {
      ...shape,
      // Internal errors never leak their message or stack to clients.
      message:
        error.code === "INTERNAL_SERVER_ERROR"
          ? "Something went wrong on our side."
          : cause instanceof ZodError
            ? `Please check: ${[...new Set(cause.issues.map((issue) => issue.path.join(".") || "input"))].join(", ")}.`
            : shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        fieldErrors,
        /** The domain's code when it is more precise than the HTTP one (PLAN_LIMIT within FORBIDDEN). */
        appCode: cause instanceof AppError ? cause.code : null,
      },
    };
  },
});

/** Domain AppErrors become tRPC errors here, once; unexpected errors are logged with the request id. */
const errorMapping = t.middleware(async ({ ctx, next, path, type }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof AppError) {
      throw new TRPCError({ code: TRPC_CODE[cause.code], message: cause.message, cause });
    }
    if (cause instanceof ZodError) {
      // The domain validates again (it is also called by the worker); same answer as .input().
      throw new TRPCError({ code: "BAD_REQUEST", message: "Invalid input", cause });
    }
    if (result.error.code === "INTERNAL_SERVER_ERROR") {
      ctx.log.error({ err: cause ?? result.error, path, type }, "procedure failed");
    }
  }
  return result;
});

/**
 * A NUL character anywhere in the raw input (a value or a key, however deep) is refused before
 * .input() parses it, for every procedure: PostgreSQL cannot store one.
 */
const refuseNul = t.middleware(async ({ getRawInput, next }) => {
  const hit = findNul(await getRawInput());
  if (hit) throw new AppError("VALIDATION", nulMessage(hit), nulFieldErrors(hit));
  return next();
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(errorMapping).use(refuseNul);

/** Signed-in users only: 401 without a live session. */
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.actor) throw new TRPCError({ code: "UNAUTHORIZED", message: "Please log in." });
  return next({ ctx: { ...ctx, actor: ctx.actor } });
});

/** Admins only: 403 for everyone else, whatever the UI shows. */
export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.actor.role !== "ADMIN") throw new TRPCError({ code: "FORBIDDEN", message: "Admins only." });
  return next({ ctx });
});
