// Writes .env from .env.example when .env is absent: every __GENERATE__ becomes a fresh secret.
// When .env exists, variables that .env.example gained since are appended (with their defaults
// or fresh secrets); values already in .env are never changed.
// Plain Node (no dependencies): it runs before `npm install`.
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";

const [, , examplePath = ".env.example", envPath = ".env"] = process.argv;

const secret = (name) =>
  name === "ADMIN_PASSWORD"
    ? `Adm-${randomBytes(9).toString("base64url")}-7`
    : randomBytes(32).toString("hex");

const resolve = (line) => {
  const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
  if (!match || !match[2].includes("__GENERATE__")) return line;
  const [, name, value] = match;
  return `${name}=${value.replaceAll("__GENERATE__", () => secret(name))}`;
};

const exampleLines = readFileSync(examplePath, "utf8").split("\n");
if (!existsSync(envPath)) {
  writeFileSync(envPath, exampleLines.map(resolve).join("\n"), { mode: 0o600 });
  console.log(`wrote ${envPath} with generated secrets`);
  process.exit(0);
}

const present = new Set(
  readFileSync(envPath, "utf8")
    .split("\n")
    .map((line) => /^([A-Z0-9_]+)=/.exec(line)?.[1])
    .filter(Boolean),
);
const missing = exampleLines.filter((line) => {
  const name = /^([A-Z0-9_]+)=/.exec(line)?.[1];
  return name && !present.has(name);
});
if (missing.length > 0) {
  const text = readFileSync(envPath, "utf8");
  appendFileSync(envPath, `${text.endsWith("\n") ? "" : "\n"}${missing.map(resolve).join("\n")}\n`);
  console.log(`added to ${envPath}: ${missing.map((line) => line.split("=")[0]).join(", ")}`);
}
