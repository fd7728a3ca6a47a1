import type { TaskContext } from "../plan/types.js";
import { pipeline } from "node:stream/promises";
import { DigestStream, type Digests } from "./digest.js";
import type { ImageSource } from "./imageSource.js";
import { byteMeter } from "./meter.js";
import { joinUrl, tunnelRequest, type HttpRequest, type HttpResponse } from "./tunnel.js";

// An image record as Glance's v2 API shows it; extra properties are top-level strings.
export interface GlanceImage {
  id: string;
  name: string;
  status: string;
  checksum?: string | null;
  os_hash_algo?: string | null;
  os_hash_value?: string | null;
  size?: number | null;
  disk_format?: string | null;
  container_format?: string | null;
  visibility?: string;
  created_at?: string;
  [property: string]: unknown;
}

// One json-patch operation on an image (Glance's application/openstack-images-v2.1-json-patch).
export interface PatchOp {
  op: "add" | "replace" | "remove";
  path: string;
  value?: unknown;
}

// Glance's image API through the host's tunnel, authenticated with the play's admin token.
export class Glance {
  constructor(
    private readonly ctx: TaskContext,
    readonly base: string = ctx.vars.glance_url,
  ) {}

  async request(method: string, path: string, init: HttpRequest = {}): Promise<HttpResponse> {
    const token = await this.ctx.keystone.token();
    return tunnelRequest(this.ctx.t, joinUrl(this.base, path), { method, timeoutMs: 60_000, ...init, headers: { "x-auth-token": token, ...init.headers } });
  }

  // A JSON call whose status must be the expected one; anything else fails naming the request.
  async json<T>(method: string, path: string, expect: number, body?: unknown, contentType = "application/json"): Promise<T> {
    const r = await this.request(method, path, body === undefined ? {} : { headers: { "content-type": contentType }, body: JSON.stringify(body) });
    if (r.status !== expect) throw new Error(`Glance ${method} /${path}: HTTP ${r.status} ${r.body.toString("utf8").slice(0, 200).replace(/\s+/g, " ")}`);
    const text = r.body.toString("utf8");
    return (text ? JSON.parse(text) : {}) as T;
  }

  // Every image of a name the admin sees, whatever its status, following Glance's pages.
  async images(name: string): Promise<GlanceImage[]> {
    const found: GlanceImage[] = [];
    let path: string | undefined = `v2/images?${new URLSearchParams({ name, limit: "200" })}`;
    while (path) {
      const page: { images?: GlanceImage[]; next?: string } = await this.json("GET", path, 200);
      found.push(...(page.images ?? []));
      path = page.next?.replace(/^\/+/, "");
    }
    return found;
  }

  create(fields: Record<string, unknown>): Promise<GlanceImage> {
    return this.json("POST", "v2/images", 201, fields);
  }

  patch(id: string, ops: PatchOp[]): Promise<GlanceImage> {
    return this.json("PATCH", `v2/images/${id}`, 200, ops, "application/openstack-images-v2.1-json-patch");
  }

  async remove(id: string): Promise<void> {
    await this.json("DELETE", `v2/images/${id}`, 204);
  }

  // Streams the source into the image's data, hashing on the way; returns what was sent.
  async upload(id: string, source: ImageSource, label: string): Promise<Digests> {
    const { stream, size } = await source.open();
    const meter = byteMeter(label, size, this.ctx.progress);
    const digest = new DigestStream(["md5", "sha512"], (n) => meter.add(n));
    // A read error reaches the request through the digest stream, which pipeline destroys with it.
    pipeline(stream, digest).catch(() => undefined);
    const r = await this.request("PUT", `v2/images/${id}/file`, {
      headers: { "content-type": "application/octet-stream" },
      body: digest,
      ...(size !== undefined ? { contentLength: size } : {}),
      timeoutMs: 300_000,
    });
    if (r.status !== 204) throw new Error(`upload of ${source.label}: HTTP ${r.status} ${r.body.toString("utf8").slice(0, 200).replace(/\s+/g, " ")}`);
    meter.done();
    return digest.digests;
  }

  // Polls the image with backoff until it is active; killed/deleted states fail at once.
  async waitActive(id: string, timeoutMs = 120_000): Promise<GlanceImage> {
    const deadline = Date.now() + timeoutMs;
    for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
      const image: GlanceImage = await this.json("GET", `v2/images/${id}`, 200);
      if (image.status === "active") return image;
      if (["killed", "deleted", "deactivated"].includes(image.status)) throw new Error(`image ${id} went ${image.status}`);
      if (Date.now() > deadline) throw new Error(`image ${id} still ${image.status} after ${timeoutMs / 1000} s`);
      await new Promise((res) => setTimeout(res, delay));
    }
  }
}

// Glance's record of an uploaded image against the bytes sent: size, md5 and (when Glance hashed with it) sha512.
export function checkStored(image: GlanceImage, sent: Digests): void {
  if (image.size !== sent.size) throw new Error(`image ${image.id}: Glance stored ${image.size} bytes, ${sent.size} were sent`);
  if (image.checksum !== sent.md5) throw new Error(`image ${image.id}: Glance's checksum ${image.checksum} differs from the md5 of what was sent (${sent.md5})`);
  if ((image.os_hash_algo ?? "sha512") === "sha512" && image.os_hash_value && image.os_hash_value !== sent.sha512) {
    throw new Error(`image ${image.id}: Glance's os_hash_value differs from the sha512 of what was sent`);
  }
}
