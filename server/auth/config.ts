import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { authenticateUser } from "../domain/auth/authenticate-user";
import { env } from "../env";
import { AppError } from "../errors";
import { logger } from "../logger";
import { clientIp } from "./client-ip";
import { createSession, deleteSession, findActiveSession, SESSION_IDLE_MS } from "./sessions";

/** A refused login whose `code` reaches the login form (never says which part was wrong). */
class LoginRefused extends CredentialsSignin {
  constructor(code: string) {
    super();
    this.code = code;
  }
}

/**
 * next-auth with the credentials provider. The cookie is a JWT that only carries the id of a
 * server-side Session row; every use looks the row up, so deleting it (logout, "log out
 * everywhere", password change or reset) ends the session for any copy of the cookie.
 */
export const { handlers, auth } = NextAuth({
  secret: env().AUTH_SECRET,
  trustHost: true,
  session: { strategy: "jwt", maxAge: SESSION_IDLE_MS / 1000 },
  // Auth.js's own error page answers 500 for "Configuration" (what an unknown provider or action
  // ends in); errors go to our login page instead, which names them.
  pages: { signIn: "/login", error: "/login" },
  // A refused login is an expected outcome (counted by the throttle), not an error with a stack
  // trace; anything else next-auth reports goes through our logger, which scrubs secrets.
  logger: {
    error(error) {
      if (error instanceof CredentialsSignin || (error as { type?: string }).type === "CredentialsSignin") return;
      logger.error({ err: error }, "next-auth error");
    },
    warn(code) {
      logger.warn({ code }, "next-auth warning");
    },
    debug() {},
  },
  providers: [
    Credentials({
      credentials: { email: { type: "email" }, password: { type: "password" } },
      async authorize(credentials, request) {
        try {
          const user = await authenticateUser({
            email: credentials.email,
            password: credentials.password,
            ip: clientIp(request.headers),
          });
          return { id: user.id, email: user.email, name: user.name };
        } catch (error) {
          if (error instanceof AppError && error.code === "LIMIT_EXCEEDED") {
            throw new LoginRefused(`locked-${error.fieldErrors?.retryAfterSeconds?.[0] ?? "900"}`);
          }
          if (error instanceof AppError && error.code === "FORBIDDEN") throw new LoginRefused("suspended");
          if (error instanceof AppError && error.code === "UNAUTHORIZED") return null;
          throw error;
        }
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      if (user?.id) {
        token.sid = await createSession(user.id);
        return token;
      }
      if (typeof token.sid !== "string") return null;
      const session = await findActiveSession(token.sid);
      if (!session) return null;
      token.role = session.role;
      return token;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
  events: {
    async signOut(message) {
      const sid = "token" in message ? message.token?.sid : undefined;
      if (typeof sid === "string") await deleteSession(sid);
    },
  },
});
