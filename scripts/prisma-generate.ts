// `prisma generate` without engine downloads (stack-notes: "Prisma 7 without engine downloads").
// The prisma-client generator needs no engine, but the CLI tries to fetch the schema-engine
// binary unless PRISMA_SCHEMA_ENGINE_BINARY names an existing file: we point it at a script
// that explains what to use instead.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const prismaBin = join(root, "node_modules", ".bin", "prisma");
const engineHint = join(root, "scripts", "prisma-engine-hint.sh");
const schemaPath = join(root, "prisma", "schema.prisma");

/** Environment for the prisma CLI: no engine download, no update check, no telemetry. */
export function prismaEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    PRISMA_SCHEMA_ENGINE_BINARY: engineHint,
    PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING: "1",
    // Should anything still try to download, fail at once instead of waiting on the network.
    PRISMA_ENGINES_MIRROR: base.PRISMA_ENGINES_MIRROR ?? "http://127.0.0.1:9",
    CHECKPOINT_DISABLE: "1",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
  };
}

/** The generator's output directory from schema.prisma, if it names one. */
function generatorOutput(): string | undefined {
  const match = /^\s*output\s*=\s*"([^"]+)"/m.exec(readFileSync(schemaPath, "utf8"));
  return match?.[1] === undefined ? undefined : resolve(dirname(schemaPath), match[1]);
}

function runPrisma(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(prismaBin, args, {
      cwd: root,
      env: prismaEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", fail);
    child.on("close", (code, signal) =>
      done({ code: code ?? 1, output: signal ? `${output}\n(killed by ${signal})` : output }),
    );
  });
}

async function main(): Promise<number> {
  // Prisma 7 reads no .env; prisma.config.ts reads DATABASE_URL. The environment wins.
  if (existsSync(join(root, ".env"))) process.loadEnvFile(join(root, ".env"));
  for (const [what, path] of [
    ["prisma CLI", prismaBin],
    ["engine stand-in", engineHint],
  ] as const) {
    if (!existsSync(path)) {
      process.stderr.write(`prisma-generate: ${what} not found at ${path} (run npm install)\n`);
      return 1;
    }
  }
  const started = Date.now();
  const { code, output } = await runPrisma(["generate", "--schema", schemaPath]);
  if (code !== 0) {
    process.stderr.write(`${output.trimEnd()}\n`);
    process.stderr.write(`prisma-generate: prisma generate exited with ${code}\n`);
    return code;
  }
  const out = generatorOutput();
  if (out !== undefined && !existsSync(out)) {
    process.stderr.write(`${output.trimEnd()}\nprisma-generate: ${out} was not written\n`);
    return 1;
  }
  process.stdout.write(`${output.trimEnd()}\n`);
  process.stdout.write(`prisma-generate: done in ${Date.now() - started} ms\n`);
  return 0;
}

process.exitCode = await main();
