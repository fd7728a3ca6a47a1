import http from "node:http";
import { Readable, Transform, type Duplex } from "node:stream";
import type { Transport } from "../transport/types.js";

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface HttpRequest {
  method?: string;
  headers?: Record<string, string>;
  // A stream body is sent as it is read, at the pace the tunnel accepts it (backpressure), so an image of any
  // size passes through a small, constant amount of memory.
  body?: string | Buffer | Readable;
  // Length of a stream body; without it the body goes out chunked.
  contentLength?: number;
  // Fails the request when nothing moves for this long: no body byte sent and no answer byte received.
  timeoutMs?: number;
}

// HTTP to a URL as the controller sees it, carried through the host's SSH connection (direct-tcpip):
// the tool's machine needs neither DNS for `controller` nor a route to the API ports.
export async function tunnelRequest(t: Transport, url: string, init: HttpRequest = {}): Promise<HttpResponse> {
  const u = new URL(url);
  const stream: Duplex = await t.forward(u.hostname, Number(u.port || (u.protocol === "https:" ? 443 : 80)));
  const what = `${init.method ?? "GET"} ${u.origin}${u.pathname}`;
  const body = init.body;
  const source = body instanceof Readable ? body : undefined;
  const fixed = body === undefined || body instanceof Readable ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
  const length = source ? init.contentLength : fixed?.length;
  return new Promise<HttpResponse>((resolve, reject) => {
    // An SSH channel is not a net.Socket (no setTimeout), so the deadline is a plain timer, pushed back
    // whenever bytes move: a long upload is fine, a stalled one is not.
    const ms = init.timeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const touch = () => {
      clearTimeout(timer);
      timer = setTimeout(() => fail(new Error(`nothing moved for ${ms / 1000} s`)), ms);
    };
    // Body bytes handed to the request so far, through a pass-through that counts them.
    let sent = 0;
    let counter: Transform | undefined;
    const stopSource = () => {
      counter?.unpipe(req);
      if (source && !source.readableEnded) source.destroy();
    };
    // Settles at once: a channel whose far end stopped reading closes only when that end drains, which may be never.
    const fail = (e: Error) => {
      clearTimeout(timer);
      reject(new Error(`${what}: ${e.message}`));
      stopSource();
      req.destroy(e);
    };
    const req = http.request(
      {
        method: init.method ?? "GET",
        path: u.pathname + u.search,
        headers: { host: u.host, connection: "close", ...(length !== undefined ? { "content-length": String(length) } : {}), ...init.headers },
        createConnection: () => stream as unknown as import("node:net").Socket,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => {
          touch();
          chunks.push(c);
        });
        res.on("end", () => {
          clearTimeout(timer);
          // A server may answer (a refusal) before it has the whole body: the source is not read further. A
          // source that sent every byte of a known length may still be finishing (its end, its last hashing).
          if (length === undefined || sent < length) stopSource();
          else counter?.unpipe(req);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        });
        res.on("error", reject);
      },
    );
    touch();
    req.on("close", () => clearTimeout(timer));
    req.on("error", (e) => fail(e));
    if (!source) return void req.end(fixed);
    // A source that fails (unreadable file, broken download) aborts the request: its reason is the one to tell.
    source.once("error", (e: Error) => fail(e));
    counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        touch();
        sent += chunk.length;
        done(null, chunk);
      },
    });
    // pipe, not pipeline: the request closing after its answer must not destroy a source that is still finishing.
    source.pipe(counter).pipe(req);
  });
}

// Appends a path to a base URL that may or may not end in a slash.
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, "") + "/" + path.replace(/^\/+/, "");
}
