import { createHash } from "node:crypto";
import { Transform, type Readable } from "node:stream";

/** Counts and hashes what flows through, in the same pass that stores it. */
export function hashingPassThrough(): { stream: Transform; result: () => { sizeBytes: number; sha256: string } } {
  const hash = createHash("sha256");
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  return { stream, result: () => ({ sizeBytes: size, sha256: hash.digest("hex") }) };
}

export async function sha256Of(stream: Readable): Promise<{ sha256: string; sizeBytes: number }> {
  const hash = createHash("sha256");
  let sizeBytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    sizeBytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), sizeBytes };
}
