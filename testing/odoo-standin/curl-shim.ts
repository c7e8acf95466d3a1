// /usr/bin/curl of the Odoo test image: the official image ships curl and health checks use
// `curl -fsS http://localhost:8069/web/health`. This covers that use (GET/POST, -f -s -S -o -w
// -X -d -H -m -I), nothing more.
import { request } from "node:http";
import { writeFileSync } from "node:fs";

interface CurlArgs {
  url?: string;
  fail: boolean;
  silent: boolean;
  showError: boolean;
  head: boolean;
  method?: string;
  data?: string;
  headers: string[];
  output?: string;
  writeOut?: string;
  maxTime: number;
}

function parse(argv: string[]): CurlArgs {
  const args: CurlArgs = { fail: false, silent: false, showError: false, head: false, headers: [], maxTime: 0 };
  const takesValue = new Set(["-X", "--request", "-d", "--data", "--data-raw", "--data-binary", "-H", "--header", "-o", "--output", "-w", "--write-out", "-m", "--max-time"]);
  for (let i = 0; i < argv.length; i += 1) {
    let arg = argv[i] as string;
    const expand: string[] = [];
    if (/^-[a-zA-Z]{2,}$/.test(arg)) {
      for (const ch of arg.slice(1)) expand.push(`-${ch}`);
    } else expand.push(arg);
    for (arg of expand) {
      const value = (): string => {
        i += 1;
        return argv[i] ?? "";
      };
      if (!arg.startsWith("-")) args.url = arg;
      else if (arg === "-f" || arg === "--fail") args.fail = true;
      else if (arg === "-s" || arg === "--silent") args.silent = true;
      else if (arg === "-S" || arg === "--show-error") args.showError = true;
      else if (arg === "-I" || arg === "--head") args.head = true;
      else if (arg === "-L" || arg === "--location" || arg === "-k" || arg === "--insecure") continue;
      else if (takesValue.has(arg)) {
        const v = value();
        if (arg === "-X" || arg === "--request") args.method = v;
        else if (arg.startsWith("-d") || arg.startsWith("--data")) args.data = v;
        else if (arg === "-H" || arg === "--header") args.headers.push(v);
        else if (arg === "-o" || arg === "--output") args.output = v;
        else if (arg === "-w" || arg === "--write-out") args.writeOut = v;
        else args.maxTime = Number(v) || 0;
      } else {
        process.stderr.write(`curl: option ${arg}: is unknown (Odoo test image curl)\n`);
        process.exit(2);
      }
    }
  }
  return args;
}

function fail(args: CurlArgs, code: number, message: string): never {
  if (!args.silent || args.showError) process.stderr.write(`curl: (${code}) ${message}\n`);
  process.exit(code);
}

const args = parse(process.argv.slice(2));
if (!args.url) fail(args, 2, "no URL specified");
const url = new URL(/^[a-z]+:\/\//i.test(args.url) ? args.url : `http://${args.url}`);
if (url.protocol !== "http:") fail(args, 1, `Protocol "${url.protocol.replace(":", "")}" not supported`);
const headers: Record<string, string> = {};
for (const header of args.headers) {
  const at = header.indexOf(":");
  if (at > 0) headers[header.slice(0, at).trim()] = header.slice(at + 1).trim();
}
if (args.data !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
  headers["Content-Type"] = "application/x-www-form-urlencoded";
}
const method = args.method ?? (args.head ? "HEAD" : args.data !== undefined ? "POST" : "GET");
const req = request(url, { method, headers }, (res) => {
  const status = res.statusCode ?? 0;
  const chunks: Buffer[] = [];
  res.on("data", (chunk: Buffer) => chunks.push(chunk));
  res.on("end", () => {
    if (args.fail && status >= 400) fail(args, 22, `The requested URL returned error: ${status}`);
    let body = Buffer.concat(chunks);
    if (args.head) {
      const lines = [`HTTP/${res.httpVersion} ${status} ${res.statusMessage ?? ""}`];
      for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
      body = Buffer.from(`${lines.join("\r\n")}\r\n\r\n`);
    }
    if (args.output && args.output !== "-") writeFileSync(args.output, body);
    else process.stdout.write(body);
    if (args.writeOut) process.stdout.write(args.writeOut.replaceAll("%{http_code}", String(status).padStart(3, "0")).replaceAll("\\n", "\n"));
    process.exit(0);
  });
});
if (args.maxTime > 0) req.setTimeout(args.maxTime * 1000, () => req.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })));
req.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "ETIMEDOUT") fail(args, 28, `Operation timed out after ${args.maxTime * 1000} milliseconds`);
  if (error.code === "ECONNREFUSED") fail(args, 7, `Failed to connect to ${url.hostname} port ${url.port || 80}: Connection refused`);
  if (error.code === "ENOTFOUND") fail(args, 6, `Could not resolve host: ${url.hostname}`);
  fail(args, 7, error.message);
});
if (args.data !== undefined) req.write(args.data);
req.end();
