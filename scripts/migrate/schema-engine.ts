// Loads @prisma/schema-engine-wasm by hand (Node 20 cannot import .wasm without a flag) and
// opens an engine bound to our adapter factory.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import * as bg from "@prisma/schema-engine-wasm/schema_engine_bg";
import type { SchemaEngine } from "@prisma/schema-engine-wasm/schema_engine_bg";
import { MigrateError, redactPassword, type TPgConnection } from "./database-url.ts";
import { MigrationAdapterFactory } from "./pg-connection.ts";

export type { SchemaEngine };

let wasmReady: Promise<void> | undefined;
let lastPanic: string | undefined;

function loadWasm(): Promise<void> {
  wasmReady ??= (async () => {
    // A Rust panic reports its message through this global before the promise rejects.
    const registry = { set_message: (message: string) => void (lastPanic = message) };
    Object.assign(globalThis, { PRISMA_WASM_PANIC_REGISTRY: registry });
    const require = createRequire(import.meta.url);
    const jsPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const bytes = await readFile(join(dirname(jsPath), "schema_engine_bg.wasm"));
    const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": bg });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
  })();
  return wasmReady;
}

export type TOpenEngineOptions = {
  connection: TPgConnection;
  /** [path, content] of the Prisma schema files; the datasource block gives the provider. */
  schemaFiles: [string, string][];
  /** Receives the engine's tracing lines (JSON) when set. */
  log?: (line: string) => void;
};

export type TOpenEngine = {
  engine: SchemaEngine;
  /** Frees the engine, ends every pool and drops leftover shadow databases. */
  close: () => Promise<void>;
};

export async function openSchemaEngine(options: TOpenEngineOptions): Promise<TOpenEngine> {
  await loadWasm();
  const factory = new MigrationAdapterFactory(options.connection);
  const log = options.log ?? (() => {});
  let engine: SchemaEngine;
  try {
    engine = await bg.SchemaEngine.new(
      { datamodels: options.schemaFiles },
      (line: string) => log(line),
      bindMigrationAwareSqlAdapterFactory(factory),
    );
  } catch (error) {
    await factory.close();
    throw engineError(error, options.connection);
  }
  let closed = false;
  return {
    engine,
    close: async () => {
      if (closed) return;
      closed = true;
      engine.free();
      await factory.close();
    },
  };
}

/**
 * Turns whatever the engine rejected with (Error, or a plain object carrying `message` and
 * sometimes `error_code`/`meta`) into a MigrateError with a readable, password-free message.
 */
export function engineError(error: unknown, connection?: TPgConnection): MigrateError {
  if (error instanceof MigrateError) return error;
  let message: string;
  if (error instanceof Error) {
    message = error.message;
  } else if (typeof error === "object" && error !== null && "message" in error) {
    message = String((error as { message: unknown }).message);
  } else {
    message = String(error);
  }
  // Engine errors end with a Rust span trace ("   0: sql_schema_connector::..."): keep the
  // message, and the migration it names.
  const [head = message, trace = ""] = message.split(/\n\s*0: /, 2);
  const migration = /migration_name="([^"]+)"/.exec(trace)?.[1];
  message = head.trim() + (migration ? `\n(while applying migration ${migration})` : "");
  if (lastPanic !== undefined) {
    message = `schema engine panicked: ${lastPanic}\n${message}`;
    lastPanic = undefined;
  }
  const wrapped = new MigrateError(redactPassword(message, connection));
  wrapped.cause = error;
  return wrapped;
}

/** Runs one engine call, converting its failures with engineError. */
export async function runEngine<T>(
  call: () => Promise<T>,
  connection?: TPgConnection,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw engineError(error, connection);
  }
}
