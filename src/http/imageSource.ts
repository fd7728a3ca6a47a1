import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { byteMeter } from "./meter.js";

// What Glance reports of an image's data: size, `checksum` (md5) and `os_hash_value` (sha512).
export interface Digests {
  size: number;
  md5: string;
  sha512: string;
}

// An image's bytes, read as a stream: a local file, or a URL the tool downloads as it uploads.
export interface ImageSource {
  // For messages: the path or the URL.
  label: string;
  open(): Promise<{ stream: Readable; size?: number }>;
}

export function fileSource(path: string): ImageSource {
  return {
    label: path,
    async open() {
      const size = (await stat(path)).size;
      return { stream: createReadStream(path, { highWaterMark: 1 << 20 }), size };
    },
  };
}

export function urlSource(url: string): ImageSource {
  return {
    label: url,
    async open() {
      const r = await fetch(url);
      if (!r.ok || !r.body) throw new Error(`cannot download ${url}: HTTP ${r.status}`);
      const length = Number(r.headers.get("content-length") ?? NaN);
      const stream = Readable.fromWeb(r.body as import("node:stream/web").ReadableStream<Uint8Array>);
      return { stream, ...(Number.isFinite(length) ? { size: length } : {}) };
    },
  };
}

// Passes bytes through unchanged while hashing them as Glance does and counting them.
export class DigestStream extends Transform {
  private readonly md5: Hash = createHash("md5");
  private readonly sha512: Hash = createHash("sha512");
  private size = 0;
  constructor(private readonly onBytes: (n: number) => void = () => undefined) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.md5.update(chunk);
    this.sha512.update(chunk);
    this.size += chunk.length;
    this.onBytes(chunk.length);
    done(null, chunk);
  }
  // Valid once the stream has ended.
  digests(): Digests {
    return { size: this.size, md5: this.md5.digest("hex"), sha512: this.sha512.digest("hex") };
  }
}

// A local file's digests, read once per run for a given file version (path, inode, size, mtime): the catalogue
// asks for them in the check, the upload again to compare with what it sent.
const fileDigestCache = new Map<string, Promise<Digests>>();

export async function fileDigests(path: string, progress?: (text: string) => void): Promise<Digests> {
  const full = resolve(path);
  const s = await stat(full, { bigint: true });
  const key = [full, s.dev, s.ino, s.size, s.mtimeNs].join("\0");
  let pending = fileDigestCache.get(key);
  if (!pending) {
    pending = hashStream(createReadStream(full, { highWaterMark: 1 << 20 }), Number(s.size), `sha512 of ${path}`, progress);
    fileDigestCache.set(key, pending);
    pending.catch(() => fileDigestCache.delete(key));
  }
  return pending;
}

async function hashStream(stream: Readable, size: number, label: string, progress?: (text: string) => void): Promise<Digests> {
  const meter = byteMeter(label, size, progress);
  const digest = new DigestStream((n) => meter.add(n));
  // The bytes are only hashed; the sink drops them.
  await pipeline(stream, digest, async (chunks: AsyncIterable<Buffer>) => {
    for await (const _ of chunks);
  });
  meter.done();
  return digest.digests();
}
