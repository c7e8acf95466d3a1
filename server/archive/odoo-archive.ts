import { PassThrough, Readable } from "node:stream";
import { finished } from "node:stream/promises";
import * as tar from "tar-stream";
import yauzl from "yauzl";
import yazl from "yazl";
import { withTenantClient, type TenantConnection } from "../db-pool/tenant-client";

/**
 * Odoo's own backup format (contract odoo.md, section C.7), built and read without Odoo: a zip holding
 * `dump.sql` (pg_dump --no-owner, plain SQL), `filestore/` (the `<data_dir>/filestore/<db>` tree)
 * and `manifest.json`. Everything streams; nothing is held in memory or written twice.
 */

export type OdooManifest = {
  odoo_dump: "1";
  db_name: string;
  version: string;
  version_info: [number, number, number, string, number, string];
  major_version: string;
  pg_version: string;
  modules: Record<string, string>;
};

/** Odoo's manifest: installed modules with their versions, the series, PostgreSQL's major. */
export async function buildManifest(tenant: TenantConnection, series: string, dbName: string): Promise<OdooManifest> {
  return withTenantClient(tenant, async (client) => {
    const modules = await client.query<{ name: string; latest_version: string | null }>(
      "SELECT name, latest_version FROM ir_module_module WHERE state = 'installed' ORDER BY name",
    );
    const version = await client.query<{ server_version_num: string }>("SHOW server_version_num");
    const major = Math.floor(Number(version.rows[0]!.server_version_num) / 10_000);
    const [seriesMajor, seriesMinor] = series.split(".").map(Number) as [number, number];
    return {
      odoo_dump: "1",
      db_name: dbName,
      version: series,
      version_info: [seriesMajor, seriesMinor, 0, "final", 0, ""],
      major_version: series,
      // Odoo's own quirk (odoo.md C.7): PostgreSQL 10+ always comes out as "<major>.0".
      pg_version: `${major}.0`,
      modules: Object.fromEntries(modules.rows.map((row) => [row.name, row.latest_version ?? ""])),
    };
  });
}

export type ArchiveSources = {
  dump: Readable;
  /** A tar of the filestore directory (entries `<dir>/...`), or null when there is none. */
  filestoreTar: () => Promise<NodeJS.ReadableStream | null>;
  manifest: () => Promise<OdooManifest>;
};

/** Strips the tar's top directory: `odoo_x/ab/abcdef` -> `ab/abcdef`; null for the top itself. */
function filestoreRelative(tarName: string): string | null {
  const parts = tarName.split("/").filter((part) => part !== "" && part !== ".");
  if (parts.length < 2 || parts.includes("..")) return null;
  return parts.slice(1).join("/");
}

/**
 * The zip, as a stream: dump.sql first (deflated as it arrives), then the filestore entries one
 * by one (stored as they are: attachments are mostly compressed already), then manifest.json.
 * Any source failing destroys the output with that error.
 */
export function createOdooArchive(sources: ArchiveSources): Readable {
  const zip = new yazl.ZipFile();
  const output = new PassThrough();
  zip.outputStream.pipe(output);
  const fail = (error: unknown) => output.destroy(error instanceof Error ? error : new Error(String(error)));
  zip.on("error", fail);

  void (async () => {
    zip.addReadStream(sources.dump, "dump.sql", { compress: true });
    await finished(sources.dump);
    const filestore = await sources.filestoreTar();
    if (filestore) {
      const extract = tar.extract();
      filestore.on("error", (error: Error) => extract.destroy(error));
      filestore.pipe(extract);
      for await (const entry of extract) {
        const relative = filestoreRelative(entry.header.name);
        // tar-stream entries are streamx streams: wrap them for yazl, and always drain them.
        const content = Readable.from(entry);
        if (entry.header.type === "file" && relative) {
          zip.addReadStream(content, `filestore/${relative}`, { compress: false, mtime: entry.header.mtime ?? new Date() });
        } else {
          content.resume();
        }
        await finished(content);
      }
    }
    const manifest = await sources.manifest();
    zip.addBuffer(Buffer.from(JSON.stringify(manifest, null, 4)), "manifest.json");
    zip.end();
  })().catch((error: unknown) => {
    fail(error);
    sources.dump.destroy();
  });
  return output;
}

export type ArchiveEntry = { name: string; size: number };

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: false, strictFileNames: true, validateEntrySizes: true }, (error, zip) =>
      error ? reject(error) : resolve(zip),
    );
  });
}

/**
 * Reads a local archive entry by entry: `onEntry` gets each entry's name, size and a function
 * opening its content stream, and is awaited before the next entry is read.
 */
export async function readOdooArchive(
  file: string,
  onEntry: (entry: ArchiveEntry, open: () => Promise<Readable>) => Promise<void>,
): Promise<void> {
  const zip = await openZip(file);
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on("error", reject);
      zip.on("end", () => resolve());
      zip.on("entry", (entry: yauzl.Entry) => {
        const open = () =>
          new Promise<Readable>((resolveStream, rejectStream) =>
            zip.openReadStream(entry, (error, stream) => (error ? rejectStream(error) : resolveStream(stream))),
          );
        onEntry({ name: entry.fileName, size: entry.uncompressedSize }, open).then(() => zip.readEntry(), reject);
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
}

/** A tar stream (for the engine's archive upload) of files under `dir/`, owned by uid:gid. */
export function tarPacker(owner: { uid: number; gid: number }) {
  const pack = tar.pack();
  const dirs = new Set<string>();
  const ensureDirs = (file: string) => {
    const parts = file.split("/").slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      if (dirs.has(dir)) continue;
      dirs.add(dir);
      pack.entry({ name: `${dir}/`, type: "directory", mode: 0o755, uid: owner.uid, gid: owner.gid });
    }
  };
  return {
    // A node stream for the engine's upload (tar-stream's pack is a streamx stream).
    stream: Readable.from(pack),
    /** Adds one file from a stream of known size; resolves once it is written into the tar. */
    async add(name: string, size: number, content: Readable): Promise<void> {
      ensureDirs(name);
      await new Promise<void>((resolve, reject) => {
        const sink = pack.entry({ name, size, mode: 0o644, uid: owner.uid, gid: owner.gid }, (error) => (error ? reject(error) : resolve()));
        content.on("error", reject);
        content.pipe(sink);
      });
    },
    addDirectory(name: string) {
      ensureDirs(`${name}/x`);
    },
    finish() {
      pack.finalize();
    },
  };
}

/** The uid/gid owning a directory, from the header of its own entry in an engine tar. */
export async function tarTopOwner(archive: NodeJS.ReadableStream): Promise<{ uid: number; gid: number } | null> {
  const extract = tar.extract();
  archive.pipe(extract);
  for await (const entry of extract) {
    const owner = { uid: entry.header.uid ?? 0, gid: entry.header.gid ?? 0 };
    entry.resume();
    extract.destroy();
    (archive as Readable).destroy?.();
    return owner;
  }
  return null;
}
