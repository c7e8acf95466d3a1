/**
 * Transport-free domain errors. The domain throws AppError; the tRPC error formatter and the
 * HTTP routes map codes to status codes once. Never imports tRPC or Next.
 */
export type AppErrorCode =
  | "NOT_FOUND"
  | "INVALID_STATE"
  | "LIMIT_EXCEEDED"
  | "CONFLICT"
  | "FORBIDDEN"
  | "UNAUTHORIZED"
  | "VALIDATION"
  | "UNAVAILABLE";

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    /** Field errors for forms: { email: ["already registered"] }. */
    readonly fieldErrors?: Record<string, string[]>,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const HTTP_STATUS: Record<AppErrorCode, number> = {
  NOT_FOUND: 404,
  INVALID_STATE: 409,
  LIMIT_EXCEEDED: 429,
  CONFLICT: 409,
  FORBIDDEN: 403,
  UNAUTHORIZED: 401,
  VALIDATION: 400,
  UNAVAILABLE: 503,
};

/**
 * A restore that must not go ahead (a missing, tampered or unreadable backup); the message says
 * why in the customer's words. Retrying cannot fix it.
 */
export class RestoreRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RestoreRefused";
  }
}
