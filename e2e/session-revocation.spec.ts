import { expect, test, type APIRequestContext } from "@playwright/test";
import { uniqueEmail } from "./fixtures/accounts";

const PASSWORD = "Api-Password-42!";

async function csrf(request: APIRequestContext): Promise<string> {
  return ((await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string }).csrfToken;
}

async function sessionCookie(request: APIRequestContext): Promise<string> {
  const cookie = (await request.storageState()).cookies.find((c) => c.name === "authjs.session-token");
  if (!cookie) throw new Error("no session cookie");
  return `${cookie.name}=${cookie.value}`;
}

test("after logout the old session cookie is refused everywhere (HTTP, replayed cookie)", async ({ playwright, baseURL }) => {
  const email = uniqueEmail("replay");
  const request = await playwright.request.newContext({ baseURL });
  const register = await request.post("/api/trpc/auth.register", {
    data: { json: { name: "Replay", email, password: PASSWORD } },
  });
  expect(register.status()).toBe(200);

  const login = await request.post("/api/auth/callback/credentials", {
    form: { csrfToken: await csrf(request), email, password: PASSWORD },
    headers: { "X-Auth-Return-Redirect": "1" },
  });
  expect(login.status()).toBe(200);
  const oldCookie = await sessionCookie(request);

  const me = await request.get("/api/trpc/auth.me");
  expect(me.status()).toBe(200);
  expect((await me.json()).result.data.json.email).toBe(email);

  const logout = await request.post("/api/auth/signout", {
    form: { csrfToken: await csrf(request) },
    headers: { "X-Auth-Return-Redirect": "1" },
  });
  expect(logout.status()).toBe(200);

  // A copy of the cookie kept from before the logout, replayed from a fresh client.
  const replay = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { cookie: oldCookie } });
  const refused = await replay.get("/api/trpc/auth.me");
  expect(refused.status()).toBe(401);
  expect((await refused.json()).error.json.data.code).toBe("UNAUTHORIZED");
  expect(await (await replay.get("/api/auth/session")).json()).toBeNull();
  await replay.dispose();
  await request.dispose();
});
