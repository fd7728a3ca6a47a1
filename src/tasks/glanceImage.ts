import { stat } from "node:fs/promises";
import { tokenCacheFact } from "../facts/state.js";
import { checkStored, Glance, type GlanceImage, type PatchOp } from "../http/glance.js";
import type { Digests, HashAlgo } from "../http/digest.js";
import { fileHash, fileSource, urlSource } from "../http/imageSource.js";
import type { HostVars } from "../inventory/vars.js";
import type { GlanceImageEntry } from "../inventory/vars/images.js";
import { call, type Action } from "../plan/actions.js";
import { valueDiff } from "../plan/diff.js";
import { noChange, type Task, type TaskContext } from "../plan/types.js";

export interface GlanceImageOptions {
  name: string;
  tags: string[];
  images: (v: HostVars) => GlanceImageEntry[] | undefined;
}

// What an entry's data hashes to, as far as the tool knows before uploading: a file's md5 and sha512 (read
// here), a URL's expected checksum, or nothing (a URL without one: the name alone identifies the image).
interface Want {
  sha512?: string;
  md5?: string;
  size?: number;
}

interface EntryChange {
  summary: string;
  diff: string[];
  actions: Action[];
}

// The image catalogue (`glance_images`) made true through Glance's API: an entry is uploaded when no active
// image of its name holds the same data in the same formats; visibility and listed properties are set in place
// on the image that does; other images of the name stay unless the entry says `replace: true`, and nothing is
// deleted otherwise except by `state: absent`.
// An empty or unset catalogue is simply true: the task is ok and asks Glance nothing.
export function glanceImage(options: GlanceImageOptions): Task {
  const entries = (v: HostVars) => options.images(v) ?? [];
  return {
    name: options.name,
    tags: options.tags,
    // Read in the play's batched probe, so a cached admin token costs nothing.
    facts: () => [tokenCacheFact()],
    // Hashing a large local file takes seconds: it starts with the play and the check finds it done.
    prefetch: (ctx) => {
      const glance = new Glance(ctx);
      const present = entries(ctx.vars).filter((e) => e.state === "present");
      return Promise.all(present.map(async (e) => wanted(ctx, e, candidates(e, await glance.images(e.name)))));
    },
    async check(ctx) {
      const glance = new Glance(ctx);
      const changes: EntryChange[] = [];
      for (const entry of entries(ctx.vars)) {
        const change = await planEntry(ctx, glance, entry);
        if (change) changes.push(change);
      }
      if (!changes.length) return noChange;
      const diff = changes.flatMap((c) => c.diff);
      return { change: true, summary: changes.map((c) => c.summary).join("; "), ...(diff.length ? { diff: diff.join("\n") } : {}), actions: changes.flatMap((c) => c.actions) };
    },
  };
}

async function planEntry(ctx: TaskContext, glance: Glance, e: GlanceImageEntry): Promise<EntryChange | undefined> {
  const images = await glance.images(e.name);
  if (e.state === "absent") {
    if (!images.length) return undefined;
    return { summary: `delete image ${e.name} (${ids(images)})`, diff: [], actions: images.map((i) => removal(glance, i)) };
  }
  const active = newestFirst(images.filter((i) => i.status === "active"));
  const want = await wanted(ctx, e, candidates(e, images));
  const keep = candidates(e, images).find((i) => holds(i, want));
  if (!keep) return uploadChange(ctx, glance, e, want, images, active);
  const { ops, diff } = updates(keep, e);
  const old = e.replace ? images.filter((i) => i.id !== keep.id) : [];
  if (!ops.length && !old.length) return undefined;
  const summary = [
    ops.length && `update image ${e.name} (${keep.id}): ${ops.map((o) => o.path.slice(1)).join(", ")}`,
    old.length && `delete old image${old.length > 1 ? "s" : ""} ${ids(old)} of ${e.name} (replace: true)`,
  ].filter(Boolean);
  const patch = call(`Glance PATCH /v2/images/${keep.id} ${JSON.stringify(ops)}`, async () => void (await glance.patch(keep.id, ops)));
  return { summary: summary.join(", "), diff, actions: [...(ops.length ? [patch] : []), ...old.map((i) => removal(glance, i))] };
}

// Active images of the entry's name and formats: the ones whose data may already be the entry's, newest first.
const candidates = (e: GlanceImageEntry, images: GlanceImage[]) =>
  newestFirst(images.filter((i) => i.status === "active" && i.disk_format === e.disk_format && i.container_format === e.container_format));

// Whether Glance hashed an image's data with sha512 (its default); otherwise only the md5 compares.
const bySha512 = (image: GlanceImage) => (image.os_hash_algo ?? "sha512") === "sha512" && !!image.os_hash_value;

// A file is hashed only as far as a comparison needs it (once per run, file version and algorithm): with no
// candidate and no expected checksum, a first upload reads the file once, hashing on the way.
async function wanted(ctx: TaskContext, e: GlanceImageEntry, found: GlanceImage[]): Promise<Want | undefined> {
  const expected: HashAlgo | undefined = e.checksum === undefined ? undefined : e.checksum.length === 32 ? "md5" : "sha512";
  if (e.file === undefined) return expected ? { [expected]: e.checksum } : undefined;
  const algos = new Set<HashAlgo>(found.map((i) => (bySha512(i) ? "sha512" : "md5")));
  if (expected) algos.add(expected);
  const want: Want = { size: (await stat(e.file)).size };
  for (const algo of algos) want[algo] = await fileHash(e.file, algo, ctx.progress);
  if (expected && want[expected] !== e.checksum) throw new Error(`${e.file}: its ${expected} is not the checksum image ${e.name} lists`);
  return want;
}

// Whether an image holds the wanted data: by sha512 when Glance hashed with it, else by md5.
function holds(image: GlanceImage, want: Want | undefined): boolean {
  if (!want) return true;
  if (want.sha512 && bySha512(image)) return image.os_hash_value === want.sha512;
  return want.md5 !== undefined && image.checksum === want.md5;
}

function uploadChange(ctx: TaskContext, glance: Glance, e: GlanceImageEntry, want: Want | undefined, images: GlanceImage[], active: GlanceImage[]): EntryChange {
  const label = e.file ?? e.url!;
  const size = want?.size !== undefined ? `, ${want.size} bytes` : "";
  const hash = want?.sha512 ? `, sha512 ${short(want.sha512)}` : want?.md5 ? `, md5 ${want.md5}` : "";
  const props = Object.entries(e.properties).map(([k, v]) => `${k}=${v}`);
  const upload = call(
    `upload ${label}${size}${hash} to ${glance.base} as a new image ${e.name} (${e.disk_format}/${e.container_format}, ${e.visibility}${props.length ? `, ${props.join(" ")}` : ""}), checked against Glance's checksum and os_hash_value`,
    () => uploadImage(ctx, glance, e, want),
  );
  const latest = active[0];
  const old = e.replace ? images : [];
  const parts = [latest ? `upload a new image ${e.name} from ${label}: ${whyNew(latest, e)}` : `upload image ${e.name} from ${label}`];
  if (old.length) parts.push(`then delete old image${old.length > 1 ? "s" : ""} ${ids(old)} (replace: true)`);
  else if (active.length) parts.push(`old image${active.length > 1 ? "s" : ""} ${ids(active)} kept (replace: true would delete ${active.length > 1 ? "them" : "it"})`);
  const diff = latest && want?.sha512 && latest.os_hash_value !== want.sha512 ? [valueDiff(`${e.name} sha512`, short(latest.os_hash_value ?? ""), short(want.sha512))] : [];
  return { summary: parts.join("; "), diff, actions: [upload, ...old.map((i) => removal(glance, i))] };
}

// The newest active image of the name is not the entry's: either its formats differ, or its data does.
function whyNew(latest: GlanceImage, e: GlanceImageEntry): string {
  if (latest.disk_format !== e.disk_format || latest.container_format !== e.container_format) {
    return `its formats changed (${latest.disk_format}/${latest.container_format} → ${e.disk_format}/${e.container_format})`;
  }
  return `its data changed (image ${latest.id} holds other data)`;
}

// Creates the image, streams the data in, and proves Glance stored exactly what the check hashed; a failed
// upload leaves no half-made image behind.
async function uploadImage(ctx: TaskContext, glance: Glance, e: GlanceImageEntry, want: Want | undefined): Promise<void> {
  const source = e.file !== undefined ? fileSource(e.file) : urlSource(e.url!);
  const image = await glance.create({ name: e.name, disk_format: e.disk_format, container_format: e.container_format, visibility: e.visibility, ...e.properties });
  try {
    const sent = await glance.upload(image.id, source, `upload ${e.name}`);
    const differs = sentDiffers(sent, want);
    if (differs) throw new Error(`${source.label}: ${differs}`);
    checkStored(await glance.waitActive(image.id), sent);
    ctx.log(`image ${e.name}: ${image.id} active, ${sent.size} bytes, sha512 ${short(sent.sha512)}`);
  } catch (error) {
    await glance.remove(image.id).catch(() => undefined);
    throw error;
  }
}

// What was sent against what the check expected: a file edited since, or a download that is not the entry's.
function sentDiffers(sent: Digests, want: Want | undefined): string | undefined {
  if (want?.size !== undefined && sent.size !== want.size) return `${sent.size} bytes sent, ${want.size} when checked (did the file change?)`;
  if (want?.sha512 && sent.sha512 !== want.sha512) return "the data sent is not the data checked (sha512 differs; did the file change?)";
  if (want?.md5 && sent.md5 !== want.md5) return "the data sent is not the data checked (md5 differs)";
  return undefined;
}

// Visibility and the entry's own properties; properties the entry does not list are left alone.
function updates(image: GlanceImage, e: GlanceImageEntry): { ops: PatchOp[]; diff: string[] } {
  const ops: PatchOp[] = [];
  const diff: string[] = [];
  const set = (key: string, have: unknown, value: string) => {
    if (have !== undefined && have !== null && String(have) === value) return;
    ops.push({ op: have === undefined ? "add" : "replace", path: `/${key}`, value });
    diff.push(valueDiff(`${e.name} ${key}`, have === undefined || have === null ? undefined : String(have), value));
  };
  set("visibility", image.visibility, e.visibility);
  for (const [key, value] of Object.entries(e.properties)) set(key, image[key], value);
  return { ops, diff };
}

const removal = (glance: Glance, image: GlanceImage): Action =>
  call(`Glance DELETE /v2/images/${image.id} (${image.name}, ${image.status})`, () => glance.remove(image.id));

const newestFirst = (images: GlanceImage[]) => [...images].sort((a, b) => (b.created_at ?? "").localeCompare(a.created_at ?? ""));
const ids = (images: GlanceImage[]) => images.map((i) => i.id).join(", ");
const short = (hash: string) => (hash.length > 16 ? `${hash.slice(0, 16)}…` : hash);
