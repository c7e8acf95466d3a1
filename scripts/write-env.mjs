// Writes .env from .env.example when .env is absent: every __GENERATE__ becomes a fresh secret.
// Plain Node (no dependencies): it runs before `npm install`.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const [, , examplePath = ".env.example", envPath = ".env"] = process.argv;
if (existsSync(envPath)) process.exit(0);

const secret = (name) =>
  name === "ADMIN_PASSWORD"
    ? `Adm-${randomBytes(9).toString("base64url")}-7`
    : randomBytes(32).toString("hex");

const lines = readFileSync(examplePath, "utf8").split("\n").map((line) => {
  const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
  if (!match || !match[2].includes("__GENERATE__")) return line;
  const [, name, value] = match;
  return `${name}=${value.replaceAll("__GENERATE__", () => secret(name))}`;
});
writeFileSync(envPath, lines.join("\n"), { mode: 0o600 });
console.log(`wrote ${envPath} with generated secrets`);
