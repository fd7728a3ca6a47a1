import { Transform, type TransformCallback } from "node:stream";
import { Worker } from "node:worker_threads";

export type HashAlgo = "md5" | "sha512";

// What Glance reports of an image's data: size, `checksum` (md5) and `os_hash_value` (sha512).
export interface Digests {
  size: number;
  md5: string;
  sha512: string;
}

// The hashing runs in a worker thread: md5 and sha512 cost ~3.5 s per GiB of one core, which on the main thread
// would come on top of the tunnel's own encryption. Chunks reach it through a fixed shared ring (no per-chunk
// allocation for the worker's garbage collector to lag behind). Inline source, so it runs from dist and from tsx.
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const ring = new Uint8Array(workerData.ring);
const hashes = workerData.algos.map((algo) => [algo, createHash(algo)]);
parentPort.on("message", (m) => {
  if (m === null) return parentPort.postMessage(Object.fromEntries(hashes.map(([algo, h]) => [algo, h.digest("hex")])));
  for (const [, h] of hashes) h.update(ring.subarray(m.at, m.at + m.length));
  parentPort.postMessage(m.length);
});
`;

// Bytes between the stream and the worker at most; a chunk that does not fit waits for the worker.
const RING = 16 << 20;

// Passes bytes through unchanged while they are hashed (and counted) on the side.
export class DigestStream extends Transform {
  private readonly worker: Worker;
  private inFlight = 0;
  private size = 0;
  private readonly ring: Uint8Array;
  // Where the next byte goes in the ring.
  private at = 0;
  private waiting: (() => void) | undefined;
  private flushed = false;
  private settle: { resolve(d: Digests): void; reject(e: Error): void } | undefined;
  // Settles once every byte is hashed (a server may answer before that), or fails with the stream.
  readonly digests: Promise<Digests>;

  constructor(
    algos: HashAlgo[] = ["md5", "sha512"],
    private readonly onBytes: (n: number) => void = () => undefined,
  ) {
    super();
    this.digests = new Promise<Digests>((resolve, reject) => (this.settle = { resolve, reject }));
    this.digests.catch(() => undefined);
    const ring = new SharedArrayBuffer(RING);
    this.ring = new Uint8Array(ring);
    this.worker = new Worker(WORKER, { eval: true, workerData: { algos, ring } });
    this.worker.on("message", (m: number | Record<string, string>) => {
      if (typeof m !== "number") return this.finish(m);
      this.inFlight -= m;
      this.release();
    });
    this.worker.on("error", (e) => this.destroy(e));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    this.onBytes(chunk.length);
    this.push(chunk);
    this.feed(chunk, done);
  }

  // Copies the chunk into the ring, in pieces where it wraps or does not fit yet, then lets the stream go on.
  private feed(chunk: Buffer, done: TransformCallback): void {
    while (chunk.length > 0) {
      const room = Math.min(RING - this.inFlight, RING - this.at);
      if (room === 0) {
        this.waiting = () => this.feed(chunk, done);
        return;
      }
      const n = Math.min(room, chunk.length);
      this.ring.set(chunk.subarray(0, n), this.at);
      this.worker.postMessage({ at: this.at, length: n });
      this.inFlight += n;
      this.at = (this.at + n) % RING;
      chunk = chunk.subarray(n);
    }
    done();
  }

  // Every chunk is with the worker: ask for the digests and end at once. A server may answer as soon as the last
  // byte is through, before the worker has hashed it; `digests` settles when the worker has.
  override _flush(done: TransformCallback): void {
    this.flushed = true;
    this.worker.postMessage(null);
    done();
  }

  // A stream stopped before its end takes its hashing with it; once flushed, the worker finishes on its own.
  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    if (!this.flushed) {
      void this.worker.terminate();
      this.settle?.reject(error ?? new Error("hashing stopped before the data ended"));
    }
    done(error);
  }

  private finish(d: Record<string, string>): void {
    void this.worker.terminate();
    this.settle?.resolve({ size: this.size, md5: d.md5 ?? "", sha512: d.sha512 ?? "" });
  }

  private release(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }
}
