import { checkStored, Glance } from "../http/glance.js";
import { fileSource, urlSource, type ImageSource } from "../http/imageSource.js";
import { joinUrl } from "../http/tunnel.js";
import type { TaskContext, Verification } from "../plan/types.js";
import { waitHttp } from "../tasks/waitHttp.js";

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
      // One read per distinct URL: a host whose own address is the catalogue's (management_address: controller)
      // must not start a second read that nothing awaits or catches.
      const bases = [...new Set([ownApi(ctx), ctx.vars.glance_url])];
      const reads = new Map(bases.map((base) => [base, readAnswers(ctx, base)] as const));
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
  const glance = new Glance(ctx, base);
  return Promise.all([glance.request("GET", "healthcheck"), glance.request("GET", "")]);
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

// The verification image, streamed from its file or URL (never held in memory whole).
function verifySource(ctx: TaskContext): ImageSource {
  if (ctx.vars.verify_image_file) return fileSource(ctx.vars.verify_image_file);
  if (ctx.vars.verify_image_url) return urlSource(ctx.vars.verify_image_url);
  throw new Error("set verify_image_file or verify_image_url to verify an upload");
}

async function uploadAndCheck(ctx: TaskContext): Promise<string> {
  const glance = new Glance(ctx);
  const source = verifySource(ctx);
  const name = ctx.vars.verify_image_name;
  let result = "";
  const image = await glance.create({ name, disk_format: "qcow2", container_format: "bare", visibility: "public" });
  try {
    const sent = await glance.upload(image.id, source, `verify: upload ${source.label}`);
    checkStored(await glance.waitActive(image.id), sent);
    const listed = await glance.images(name);
    if (!listed.some((i) => i.id === image.id)) throw new Error(`image ${image.id} is not in the image list`);
    ctx.log(`verify: image ${image.id} active, ${sent.size} bytes, md5 ${sent.md5}`);
    result = `uploaded ${sent.size} bytes through ${ctx.vars.glance_url}: active, md5 and sha512 match, listed`;
  } finally {
    if (!ctx.vars.keep_verify_image) await glance.remove(image.id).catch(() => undefined);
  }
  // With keep_verify_image, only the newest verification image is kept.
  if (ctx.vars.keep_verify_image) {
    for (const old of (await glance.images(name)).filter((i) => i.id !== image.id)) await glance.remove(old.id);
  }
  return result;
}
