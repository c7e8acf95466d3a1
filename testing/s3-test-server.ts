import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import S3rver from "s3rver";

/**
 * A test fixture, never production: an S3-compatible server (s3rver) on loopback with one
 * bucket, for the S3 storage's integration tests. Credentials are s3rver's fixed pair.
 */
export type S3TestServer = {
  endpoint: string;
  bucket: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
  /** Starts it again on the same port and directory (after a stop), keeping the objects. */
  start(): Promise<void>;
  dispose(): Promise<void>;
};

export async function startS3TestServer(options: { port: number; bucket?: string }): Promise<S3TestServer> {
  const bucket = options.bucket ?? "backups-test";
  const directory = await mkdtemp(path.join(tmpdir(), "s3rver-"));
  let server: S3rver | null = null;
  const start = async () => {
    server = new S3rver({ address: "127.0.0.1", port: options.port, silent: true, directory, configureBuckets: [{ name: bucket }] });
    await server.run();
  };
  const stop = async () => {
    await server?.close();
    server = null;
  };
  await start();
  return {
    endpoint: `http://127.0.0.1:${options.port}`,
    bucket,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    stop,
    start,
    async dispose() {
      await stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
