import http from "node:http";
import type { Duplex } from "node:stream";
import type { Transport } from "../transport/types.js";

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface HttpRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
}

// HTTP to a URL as the controller sees it, carried through the host's SSH connection (direct-tcpip):
// the tool's machine needs neither DNS for `controller` nor a route to the API ports.
export async function tunnelRequest(t: Transport, url: string, init: HttpRequest = {}): Promise<HttpResponse> {
  const u = new URL(url);
  const stream: Duplex = await t.forward(u.hostname, Number(u.port || (u.protocol === "https:" ? 443 : 80)));
  return new Promise<HttpResponse>((resolve, reject) => {
    const body = init.body === undefined ? undefined : Buffer.isBuffer(init.body) ? init.body : Buffer.from(init.body);
    const req = http.request(
      {
        method: init.method ?? "GET",
        path: u.pathname + u.search,
        headers: { host: u.host, connection: "close", ...(body ? { "content-length": String(body.length) } : {}), ...init.headers },
        createConnection: () => stream as unknown as import("node:net").Socket,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    // An SSH channel is not a net.Socket (no setTimeout), so the deadline is a plain timer.
    const ms = init.timeoutMs ?? 30_000;
    const timer = setTimeout(() => req.destroy(new Error(`no answer in ${ms / 1000} s`)), ms);
    req.on("close", () => clearTimeout(timer));
    req.on("error", (e) => reject(new Error(`${init.method ?? "GET"} ${u.origin}${u.pathname}: ${e.message}`)));
    req.end(body);
  });
}

// Appends a path to a base URL that may or may not end in a slash.
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, "") + "/" + path.replace(/^\/+/, "");
}
