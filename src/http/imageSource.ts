import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { DigestStream, type HashAlgo } from "./digest.js";
import { byteMeter } from "./meter.js";

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

// A local file's hash, read once per run for a given file version (path, inode, size, mtime) and algorithm: the
// catalogue needs it only to compare with images already in Glance, and then only the algorithm Glance used.
const fileHashCache = new Map<string, Promise<string>>();

export async function fileHash(path: string, algo: HashAlgo, progress?: (text: string) => void): Promise<string> {
  const full = resolve(path);
  const s = await stat(full, { bigint: true });
  const key = [full, s.dev, s.ino, s.size, s.mtimeNs, algo].join("\0");
  let pending = fileHashCache.get(key);
  if (!pending) {
    pending = hashStream(createReadStream(full, { highWaterMark: 1 << 20 }), Number(s.size), algo, `${algo} of ${path}`, progress);
    fileHashCache.set(key, pending);
    pending.catch(() => fileHashCache.delete(key));
  }
  return pending;
}

async function hashStream(stream: Readable, size: number, algo: HashAlgo, label: string, progress?: (text: string) => void): Promise<string> {
  const meter = byteMeter(label, size, progress);
  const digest = new DigestStream([algo], (n) => meter.add(n));
  // The bytes are only hashed; the sink drops them.
  await pipeline(stream, digest, async (chunks: AsyncIterable<Buffer>) => {
    for await (const _ of chunks);
  });
  meter.done();
  return (await digest.digests)[algo];
}
