import { createHash } from "node:crypto";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import type { GlanceImage } from "../../src/http/glance.js";
import type { ScriptedHost } from "../helpers/scriptedHost.js";
import { ADMIN_PASS, bootstrapped, FakeKeystone } from "../tasks/keystoneFake.js";

// An in-process Glance v2 image API with in-memory records. Uploaded data is hashed as it arrives and then
// dropped, as Glance's store would write it away: a fake that holds nothing can take images of any size.
export class FakeGlance {
  readonly images: GlanceImage[] = [];
  readonly requests: { method: string; path: string; body?: unknown }[] = [];
  // Bytes of image data received so far (all uploads), for backpressure checks.
  received = 0;
  // Hash algorithm Glance is configured with ([DEFAULT] hashing_algorithm).
  hashAlgo = "sha512";
  // Largest page the listing returns whatever the client asks (Glance's api_limit_max).
  pageMax = 1000;
  // Fault injection: asked before each request is served; a status answers with it.
  fault: (method: string, path: string) => number | undefined = () => undefined;
  // Called for each chunk of image data before it is taken; a test can hold the upload back here.
  onData: (chunk: Buffer) => Promise<void> | void = () => undefined;
  // Called once an upload is stored; a test can make Glance's record disagree with the data here.
  afterUpload: (image: GlanceImage) => void = () => undefined;
  private server: http.Server | undefined;
  private next = 1;
  private clock = Date.parse("2026-01-01T00:00:00Z");

  // Starts on loopback; connect() is what a transport's forward() to controller:9292 leads to.
  async start(): Promise<void> {
    this.server = http.createServer((req, res) => void this.handle(req, res).catch((e: Error) => res.destroy(e)));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
  }

  async connect(): Promise<net.Socket> {
    const socket = net.connect((this.server!.address() as AddressInfo).port, "127.0.0.1");
    await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    return socket;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }

  // An image as an earlier upload left it; `data` gives its hashes and size.
  add(fields: Partial<GlanceImage> & { name: string }, data?: Buffer | string): GlanceImage {
    const image: GlanceImage = { id: `img-${this.next++}`, status: "active", disk_format: "qcow2", container_format: "bare", visibility: "public", created_at: this.stamp(), ...fields };
    if (data !== undefined) Object.assign(image, this.digests(Buffer.from(data)));
    this.images.push(image);
    return image;
  }

  // Requests that change state, without query strings.
  mutations(): string[] {
    return this.requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path.replace(/\?.*/, "")}`);
  }

  private stamp(): string {
    return new Date((this.clock += 1000)).toISOString();
  }

  private digests(data: Buffer) {
    return { size: data.length, checksum: createHash("md5").update(data).digest("hex"), os_hash_algo: this.hashAlgo, os_hash_value: createHash(this.hashAlgo).update(data).digest("hex") };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://controller:9292");
    const send = (status: number, data?: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(data === undefined ? "" : JSON.stringify(data));
    };
    const parts = url.pathname.split("/").filter(Boolean);
    if (req.method === "PUT" && parts[0] === "v2" && parts[3] === "file") return this.upload(req, parts[2]!, send);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const body = text ? (JSON.parse(text) as unknown) : undefined;
    this.requests.push({ method: req.method!, path: url.pathname + url.search, ...(body !== undefined ? { body } : {}) });
    const fault = this.fault(req.method!, url.pathname);
    if (fault !== undefined) return send(fault, { message: "injected" });
    if (url.pathname === "/healthcheck") return void res.writeHead(200).end("OK");
    if (url.pathname === "/") return send(300, { versions: [{ id: "v2.16", status: "CURRENT" }] });
    if (!req.headers["x-auth-token"]) return send(401, { message: "no token" });
    if (req.headers.host !== "controller:9292") return send(400, { message: `bad host header ${req.headers.host}` });
    if (parts[0] !== "v2" || parts[1] !== "images") return send(404);
    const image = this.images.find((i) => i.id === parts[2]);
    if (req.method === "GET" && !parts[2]) return send(200, this.page(url));
    if (req.method === "POST" && !parts[2]) {
      const created: GlanceImage = { id: `img-${this.next++}`, status: "queued", visibility: "shared", created_at: this.stamp(), ...(body as object) } as GlanceImage;
      this.images.push(created);
      return send(201, created);
    }
    if (!image) return send(404, { message: "no such image" });
    if (req.method === "GET") return send(200, image);
    if (req.method === "DELETE") {
      if (image.protected) return send(403, { message: "image is protected" });
      this.images.splice(this.images.indexOf(image), 1);
      return send(204);
    }
    if (req.method === "PATCH") {
      if (req.headers["content-type"] !== "application/openstack-images-v2.1-json-patch") return send(415);
      for (const op of body as { op: string; path: string; value: unknown }[]) {
        const key = op.path.slice(1);
        if (op.op === "replace" && !(key in image)) return send(409, { message: `replace of missing ${key}` });
        if (op.op === "add" && key in image) return send(409, { message: `add of existing ${key}` });
        image[key] = op.value;
      }
      return send(200, image);
    }
    return send(405);
  }

  // Glance's paging: `limit` records at a time, `next` naming the following page.
  private page(url: URL) {
    const name = url.searchParams.get("name");
    const limit = Math.min(this.pageMax, Number(url.searchParams.get("limit") ?? 25));
    const marker = url.searchParams.get("marker");
    const all = this.images.filter((i) => name === null || i.name === name);
    const from = marker ? all.findIndex((i) => i.id === marker) + 1 : 0;
    const images = all.slice(from, from + limit);
    const more = from + limit < all.length;
    return { images, ...(more ? { next: `/v2/images?${new URLSearchParams({ ...(name ? { name } : {}), limit: String(limit), marker: images.at(-1)!.id })}` } : {}) };
  }

  private async upload(req: http.IncomingMessage, id: string, send: (status: number, data?: unknown) => void): Promise<void> {
    this.requests.push({ method: "PUT", path: req.url ?? "" });
    const image = this.images.find((i) => i.id === id);
    const fault = this.fault("PUT", req.url ?? "");
    if (fault !== undefined || !image || image.status !== "queued") {
      // The body is read before the refusal: closing on unread data would reset the connection, answer and all.
      for await (const _ of req);
      return send(fault ?? (image ? 409 : 404), { message: "upload refused" });
    }
    const md5 = createHash("md5");
    const hash = createHash(this.hashAlgo);
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      await this.onData(chunk);
      md5.update(chunk);
      hash.update(chunk);
      size += chunk.length;
      this.received += chunk.length;
    }
    Object.assign(image, { status: "active", size, checksum: md5.digest("hex"), os_hash_algo: this.hashAlgo, os_hash_value: hash.digest("hex") });
    this.afterUpload(image);
    send(204);
  }
}

// A scripted host whose tunnel leads to a fake Keystone (port 5000) and a fake Glance (port 9292).
export async function attachFakes(h: ScriptedHost, glance = new FakeGlance()): Promise<{ glance: FakeGlance; keystone: FakeKeystone; close(): Promise<void> }> {
  const keystone = new FakeKeystone(bootstrapped());
  await keystone.attach(h);
  await glance.start();
  const toKeystone = h.forwardTo!;
  h.forwardTo = (host, port) => (port === 9292 ? glance.connect() : toKeystone(host, port));
  return { glance, keystone, close: async () => void (await Promise.all([glance.close(), keystone.close()])) };
}

export const glanceVarsFor = { keystone_admin_password: ADMIN_PASS };
