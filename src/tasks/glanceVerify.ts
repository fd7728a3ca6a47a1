import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { Keystone, tokenCacheFact } from "../http/keystone.js";
import { joinUrl, tunnelRequest, type HttpRequest } from "../http/tunnel.js";
import { noChange, type Task, type TaskContext } from "../plan/types.js";
import { waitHttp } from "./waitHttp.js";

interface Image {
  id: string;
  name: string;
  status: string;
  checksum?: string;
  os_hash_value?: string;
  size?: number;
}

// The guide's verification: the API answers, an uploaded qcow2 becomes active with the right checksum and
// is listed; the test image is removed afterwards unless keep_verify_image is set.
export function glanceVerify(options: { name: string; tags: string[]; upload: (ctx: TaskContext) => boolean }): Task {
  return {
    name: options.name,
    tags: options.tags,
    // Read in the play's batched probe, so a cached admin token costs nothing.
    facts: () => [tokenCacheFact()],
    // The two reads start with the play's other lookups; a restart later in the play makes check read again.
    prefetch: async (ctx) => (ctx.check ? undefined : apiAnswers(ctx)),
    async check(ctx) {
      // Verification never changes the host's desired state, and check mode must not upload anything.
      if (ctx.check) return noChange;
      const early = ctx.changed.length === 0 ? ctx.shared.get(ANSWERS) : undefined;
      let [health, versions] = await ((early as ReturnType<typeof apiAnswers> | undefined) ?? readAnswers(ctx)).catch(
        () => [undefined, undefined] as const,
      );
      if (health?.status !== 200) {
        // Active is not listening: right after a boot or restart glance-api takes seconds to answer.
        await waitHttp(ctx, joinUrl(ctx.vars.glance_url, "healthcheck"), { accept: [200], timeoutS: ctx.vars.service_start_timeout, unit: "glance-api" });
        [health, versions] = await readAnswers(ctx);
      }
      if (!versions || health?.status !== 200) throw new Error(`GET /healthcheck: HTTP ${health?.status}`);
      if (versions.status !== 300 && versions.status !== 200) throw new Error(`GET / (versions): HTTP ${versions.status}`);
      if (!options.upload(ctx)) return noChange;
      await uploadAndCheck(ctx);
      return noChange;
    },
  };
}

const ANSWERS = "glance:answers";

// Health check and version document, read together.
function readAnswers(ctx: TaskContext) {
  const api = glanceApi(ctx);
  return Promise.all([api("GET", "healthcheck"), api("GET", "")]);
}

// Starts the reads once per play and keeps the promise for the check.
function apiAnswers(ctx: TaskContext) {
  let answers = ctx.shared.get(ANSWERS) as ReturnType<typeof readAnswers> | undefined;
  if (!answers) {
    answers = readAnswers(ctx);
    answers.catch(() => undefined);
    ctx.shared.set(ANSWERS, answers);
  }
  return answers;
}

// Glance's REST API through the tunnel, authenticated with the play's admin token.
function glanceApi(ctx: TaskContext) {
  return async (method: string, path: string, init: HttpRequest = {}) => {
    const token = await Keystone.for(ctx).token();
    return tunnelRequest(ctx.t, joinUrl(ctx.vars.glance_url, path), {
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

async function uploadAndCheck(ctx: TaskContext): Promise<void> {
  const api = glanceApi(ctx);
  const json = (b: Buffer) => JSON.parse(b.toString("utf8") || "{}");
  const bytes = await imageBytes(ctx);
  const name = ctx.vars.verify_image_name;
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
