import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { joinUrl, tunnelRequest, type HttpRequest } from "../http/tunnel.js";
import type { TaskContext, Verification } from "../plan/types.js";
import { waitHttp } from "../tasks/waitHttp.js";

interface Image {
  id: string;
  name: string;
  status: string;
  checksum?: string;
  os_hash_value?: string;
  size?: number;
}

// The guide's verification, after the play: each host's own glance-api answers its health check and version
// document; then, once for the group, the catalogue's endpoint does, and an uploaded qcow2 becomes active with
// the right checksum and is listed (removed afterwards unless keep_verify_image is set). `upload` decides when
// the upload is worth its time (a deploy uploads only when something changed; `verify` always does).
export function glanceVerification(options: { upload: (playChanged: boolean) => boolean; tags: string[] }): Verification {
  // Reads started when the host's session opens, used when nothing changed since (as on a converged run): the
  // verification then costs no round trip of its own.
  const early = new WeakMap<TaskContext, Map<string, Promise<Answers>>>();
  const answers = (ctx: TaskContext, base: string, unchanged: boolean) => (unchanged ? early.get(ctx)?.get(base) : undefined);
  return {
    name: "Verify Glance",
    tags: options.tags,
    prefetch(ctx) {
      // One read per distinct URL: the host's own address is often the catalogue's (`controller`).
      const reads = new Map([...new Set([ownApi(ctx), ctx.vars.glance_url])].map((base) => [base, readAnswers(ctx, base)] as const));
      for (const r of reads.values()) r.catch(() => undefined);
      early.set(ctx, reads);
    },
    async run(ctx) {
      const own = ownApi(ctx);
      await apiAnswers(ctx, own, answers(ctx, own, ctx.changed.length === 0));
      return `glance-api answers at ${own}`;
    },
    async once(ctx, playChanged) {
      await apiAnswers(ctx, ctx.vars.glance_url, answers(ctx, ctx.vars.glance_url, !playChanged));
      if (!options.upload(playChanged)) return `catalogue endpoint ${ctx.vars.glance_url} answers`;
      return uploadAndCheck(ctx);
    },
  };
}

const ownApi = (ctx: TaskContext) => `http://${ctx.vars.management_address}:${ctx.vars.glance_api_port}`;

type Answers = Awaited<ReturnType<typeof readAnswers>>;

// Health check and version document of one glance-api, read together.
function readAnswers(ctx: TaskContext, base: string) {
  return Promise.all([glanceApi(ctx, base)("GET", "healthcheck"), glanceApi(ctx, base)("GET", "")]);
}

// Health check and version document of one glance-api; right after a boot or restart it may take seconds.
async function apiAnswers(ctx: TaskContext, base: string, early?: Promise<Answers>): Promise<void> {
  const read = () => readAnswers(ctx, base);
  let [health, versions] = await (early ?? read()).catch(() => [undefined, undefined] as const);
  if (health?.status !== 200) {
    await waitHttp(ctx, joinUrl(base, "healthcheck"), { accept: [200], timeoutS: ctx.vars.service_start_timeout, unit: ctx.profile.units.glanceApi });
    [health, versions] = await read();
  }
  if (!versions || health?.status !== 200) throw new Error(`GET ${joinUrl(base, "healthcheck")}: HTTP ${health?.status}`);
  if (versions.status !== 300 && versions.status !== 200) throw new Error(`GET ${base}/ (versions): HTTP ${versions.status}`);
}

// Glance's REST API through the tunnel, authenticated with the play's admin token.
function glanceApi(ctx: TaskContext, base = ctx.vars.glance_url) {
  return async (method: string, path: string, init: HttpRequest = {}) => {
    const token = await ctx.keystone.token();
    return tunnelRequest(ctx.t, joinUrl(base, path), {
      method,
      timeoutMs: 60_000,
      ...init,
      headers: { "x-auth-token": token, ...init.headers },
    });
  };
}

async function imageBytes(ctx: TaskContext): Promise<Buffer> {
  if (ctx.vars.verify_image_file) return readFile(ctx.vars.verify_image_file);
  if (ctx.vars.verify_image_url) {
    const r = await fetch(ctx.vars.verify_image_url);
    if (!r.ok) throw new Error(`cannot download ${ctx.vars.verify_image_url}: HTTP ${r.status}`);
    return Buffer.from(await r.arrayBuffer());
  }
  throw new Error("set verify_image_file or verify_image_url to verify an upload");
}

async function uploadAndCheck(ctx: TaskContext): Promise<string> {
  const api = glanceApi(ctx);
  const json = (b: Buffer) => JSON.parse(b.toString("utf8") || "{}");
  const bytes = await imageBytes(ctx);
  const name = ctx.vars.verify_image_name;
  let result = "";
  const created = await api("POST", "v2/images", {
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, disk_format: "qcow2", container_format: "bare", visibility: "public" }),
  });
  if (created.status !== 201) throw new Error(`create image: HTTP ${created.status} ${created.body.toString().slice(0, 200)}`);
  const image = json(created.body) as Image;
  try {
    const put = await api("PUT", `v2/images/${image.id}/file`, { headers: { "content-type": "application/octet-stream" }, body: bytes });
    if (put.status !== 204) throw new Error(`upload image data: HTTP ${put.status} ${put.body.toString().slice(0, 200)}`);
    const active = await waitActive(ctx, image.id);
    const md5 = createHash("md5").update(bytes).digest("hex");
    const sha512 = createHash("sha512").update(bytes).digest("hex");
    if (active.size !== bytes.length) throw new Error(`image size ${active.size} differs from the source's ${bytes.length}`);
    if (active.checksum !== md5) throw new Error(`image checksum ${active.checksum} differs from the source's md5 ${md5}`);
    if (active.os_hash_value && active.os_hash_value !== sha512) throw new Error("image os_hash_value differs from the source's sha512");
    const listed = await api("GET", `v2/images?name=${encodeURIComponent(name)}`);
    const images = (json(listed.body).images ?? []) as Image[];
    if (!images.some((i) => i.id === image.id)) throw new Error(`image ${image.id} is not in the image list`);
    ctx.log(`verify: image ${image.id} active, ${bytes.length} bytes, md5 ${md5}`);
    result = `uploaded ${bytes.length} bytes through ${ctx.vars.glance_url}: active, md5 and sha512 match, listed`;
  } finally {
    if (!ctx.vars.keep_verify_image) await api("DELETE", `v2/images/${image.id}`).catch(() => undefined);
  }
  // With keep_verify_image, only the newest verification image is kept.
  if (ctx.vars.keep_verify_image) {
    const listed = await api("GET", `v2/images?name=${encodeURIComponent(name)}`);
    for (const old of ((json(listed.body).images ?? []) as Image[]).filter((i) => i.id !== image.id)) {
      await api("DELETE", `v2/images/${old.id}`);
    }
  }
  return result;
}

// Polls the image with backoff until it is active; killed/deleted states fail at once.
async function waitActive(ctx: TaskContext, id: string): Promise<Image> {
  const api = glanceApi(ctx);
  const deadline = Date.now() + 120_000;
  let delay = 100;
  for (;;) {
    const r = await api("GET", `v2/images/${id}`);
    const image = JSON.parse(r.body.toString("utf8")) as Image;
    if (image.status === "active") return image;
    if (["killed", "deleted", "deactivated"].includes(image.status)) throw new Error(`image ${id} went ${image.status}`);
    if (Date.now() > deadline) throw new Error(`image ${id} still ${image.status} after 120 s`);
    await new Promise((res) => setTimeout(res, delay));
    delay = Math.min(delay * 2, 2000);
  }
}
