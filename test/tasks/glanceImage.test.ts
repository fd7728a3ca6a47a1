import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { glanceImagesSchema } from "../../src/inventory/vars/images.js";
import { glanceImage } from "../../src/tasks/glanceImage.js";
import type { TaskResult } from "../../src/report/types.js";
import { ScriptedHost } from "../helpers/scriptedHost.js";
import { attachFakes, FakeGlance, glanceVarsFor } from "../http/glanceFake.js";
import { runTask } from "./runTask.js";

const sha512 = (s: string) => createHash("sha512").update(s).digest("hex");
const md5 = (s: string) => createHash("md5").update(s).digest("hex");

// Local files by name; entries say `file: "new"` and get the file's path.
const FILES: Record<string, string> = { new: "qcow2 data, version 2", old: "qcow2 data, version 1" };

// Served by a local HTTP server as /NAME (with a content-length) and /chunked/NAME (without).
const dir = mkdtempSync(join(tmpdir(), "gd-images-"));
const downloads: string[] = [];
const web = http.createServer((req, res) => {
  downloads.push(req.url!);
  const name = req.url!.split("/").pop()!;
  const data = FILES[name];
  if (data === undefined) return void res.writeHead(404).end();
  if (req.url!.startsWith("/chunked/")) return void res.writeHead(200).end(data);
  res.writeHead(200, { "content-length": String(data.length) }).end(data);
});
let webBase = "";
before(async () => {
  for (const [name, data] of Object.entries(FILES)) writeFileSync(join(dir, name), data);
  await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
  webBase = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
});
after(() => {
  web.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Case {
  title: string;
  // Images Glance has before the run: fields and the data they were made from.
  have?: { name: string; data?: string; fields?: Record<string, unknown> }[];
  entries: Record<string, unknown>[];
  check?: boolean;
  // Configures the fake (hash algorithm, faults, page size).
  glance?: (g: FakeGlance) => void;
  status: TaskResult["status"];
  summary?: RegExp;
  error?: RegExp;
  mutations: string[];
  // Names and data versions of the images afterwards ("cirros:new").
  after?: string[];
  // Action descriptions (check mode shows these).
  actions?: RegExp[];
  diff?: RegExp;
  downloads?: number;
}

const cirros = (more: Record<string, unknown> = {}) => ({ name: "cirros", file: "new", ...more });

const cases: Case[] = [
  { title: "empty catalogue: ok, and Glance is not asked", entries: [], status: "ok", mutations: [], glance: (g) => (g.fault = () => 500) },
  { title: "missing: created and uploaded; a second run changes nothing", entries: [cirros({ properties: { os_distro: "cirros" } })], status: "changed", summary: /^upload image cirros from .*\/new$/, mutations: ["POST /v2/images", "PUT /v2/images/img-1/file"], after: ["cirros:new"] },
  { title: "present with the same data: nothing to do", have: [{ name: "cirros", data: "new" }], entries: [cirros()], status: "ok", mutations: [], after: ["cirros:new"] },
  {
    title: "property differs or is missing, visibility differs: updated in place with json-patch",
    have: [{ name: "cirros", data: "new", fields: { visibility: "private", os_distro: "other", hw_rng_model: "virtio" } }],
    entries: [cirros({ properties: { os_distro: "cirros", os_version: 0.6, hw_qemu_guest_agent: true } })],
    status: "changed",
    summary: /^update image cirros \(img-1\): visibility, os_distro, os_version, hw_qemu_guest_agent$/,
    diff: /cirros os_distro: other → cirros\ncirros os_version: \(absent\) → 0\.6/,
    mutations: ["PATCH /v2/images/img-1"],
    after: ["cirros:new"],
  },
  {
    title: "file changed: a new image is uploaded and says so; the old one is kept",
    have: [{ name: "cirros", data: "old" }],
    entries: [cirros()],
    status: "changed",
    summary: /^upload a new image cirros from .*: its data changed \(image img-1 holds other data\); old image img-1 kept \(replace: true would delete it\)$/,
    diff: /cirros sha512: [0-9a-f]{16}… → [0-9a-f]{16}…/,
    mutations: ["POST /v2/images", "PUT /v2/images/img-2/file"],
    after: ["cirros:old", "cirros:new"],
  },
  {
    title: "file changed with replace: true: the new image is uploaded, then the old one deleted",
    have: [{ name: "cirros", data: "old" }],
    entries: [cirros({ replace: true })],
    status: "changed",
    summary: /its data changed .*; then delete old image img-1 \(replace: true\)$/,
    mutations: ["POST /v2/images", "PUT /v2/images/img-2/file", "DELETE /v2/images/img-1"],
    after: ["cirros:new"],
  },
  {
    title: "converged with replace: true and an old image left over: the old one is deleted",
    have: [{ name: "cirros", data: "old" }, { name: "cirros", data: "new" }],
    entries: [cirros({ replace: true })],
    status: "changed",
    summary: /^delete old image img-1 of cirros \(replace: true\)$/,
    mutations: ["DELETE /v2/images/img-1"],
    after: ["cirros:new"],
  },
  {
    title: "a failed earlier upload (queued, no data) does not count; replace: true clears it",
    have: [{ name: "cirros", fields: { status: "queued" } }],
    entries: [cirros({ replace: true })],
    status: "changed",
    summary: /^upload image cirros from .*; then delete old image img-1/,
    mutations: ["POST /v2/images", "PUT /v2/images/img-2/file", "DELETE /v2/images/img-1"],
    after: ["cirros:new"],
  },
  {
    title: "disk format changed: a new image, and the summary says why",
    have: [{ name: "cirros", data: "new", fields: { disk_format: "raw" } }],
    entries: [cirros()],
    status: "changed",
    summary: /its formats changed \(raw\/bare → qcow2\/bare\)/,
    mutations: ["POST /v2/images", "PUT /v2/images/img-2/file"],
  },
  {
    title: "state: absent deletes every image of the name, and only those",
    have: [{ name: "cirros", data: "old" }, { name: "cirros", data: "new" }, { name: "ubuntu", data: "old" }],
    entries: [{ name: "cirros", state: "absent" }],
    status: "changed",
    summary: /^delete image cirros \(img-1, img-2\)$/,
    mutations: ["DELETE /v2/images/img-1", "DELETE /v2/images/img-2"],
    after: ["ubuntu:old"],
  },
  { title: "state: absent with no such image: nothing to do", have: [{ name: "ubuntu", data: "old" }], entries: [{ name: "cirros", state: "absent" }], status: "ok", mutations: [] },
  {
    title: "a protected image cannot be deleted: the task fails with Glance's answer",
    have: [{ name: "cirros", data: "old", fields: { protected: true } }],
    entries: [{ name: "cirros", state: "absent" }],
    status: "failed",
    error: /DELETE \/v2\/images\/img-1: HTTP 403/,
    mutations: ["DELETE /v2/images/img-1"],
  },
  {
    title: "check mode: says what it would upload and sends nothing",
    have: [{ name: "cirros", data: "old" }],
    entries: [cirros({ properties: { os_distro: "cirros" } })],
    check: true,
    status: "changed",
    summary: /^upload a new image cirros/,
    actions: [/^upload .*\/new, 21 bytes, sha512 [0-9a-f]{16}… to http:\/\/controller:9292 as a new image cirros \(qcow2\/bare, public, os_distro=cirros\)/],
    mutations: [],
    after: ["cirros:old"],
  },
  { title: "expected sha512 matches the file: uploaded", entries: [cirros({ checksum: sha512(FILES.new!) })], status: "changed", mutations: ["POST /v2/images", "PUT /v2/images/img-1/file"] },
  { title: "expected checksum does not match the file: fails before any request that writes", entries: [cirros({ checksum: md5(FILES.old!) })], status: "failed", error: /new: its md5 is not the checksum image cirros lists/, mutations: [] },
  {
    title: "URL with its sha512: downloaded while uploading; a second run matches the checksum without downloading",
    entries: [{ name: "cirros", url: "@web/new", checksum: sha512(FILES.new!) }],
    status: "changed",
    mutations: ["POST /v2/images", "PUT /v2/images/img-1/file"],
    after: ["cirros:new"],
    downloads: 1,
  },
  { title: "URL without a length is sent chunked", entries: [{ name: "cirros", url: "@web/chunked/new", checksum: md5(FILES.new!) }], status: "changed", mutations: ["POST /v2/images", "PUT /v2/images/img-1/file"], after: ["cirros:new"], downloads: 1 },
  { title: "URL without a checksum: an active image of the name counts, no download", have: [{ name: "cirros", data: "old" }], entries: [{ name: "cirros", url: "@web/new" }], status: "ok", mutations: [], downloads: 0 },
  {
    title: "URL whose data is not its checksum: the new image is deleted and the task fails",
    entries: [{ name: "cirros", url: "@web/old", checksum: sha512(FILES.new!) }],
    status: "failed",
    error: /old: the data sent is not the data checked/,
    mutations: ["POST /v2/images", "PUT /v2/images/img-1/file", "DELETE /v2/images/img-1"],
    after: [],
  },
  {
    title: "Glance refuses the data: the half-made image is deleted",
    entries: [cirros()],
    glance: (g) => (g.fault = (method) => (method === "PUT" ? 413 : undefined)),
    status: "failed",
    error: /upload of .*new: HTTP 413/,
    mutations: ["POST /v2/images", "PUT /v2/images/img-1/file", "DELETE /v2/images/img-1"],
    after: [],
  },
  { title: "Glance hashing with sha256: the md5 decides", have: [{ name: "cirros", data: "new" }], glance: (g) => (g.hashAlgo = "sha256"), entries: [cirros()], status: "ok", mutations: [] },
  {
    title: "many images of the name across pages: all are seen",
    have: [{ name: "cirros", data: "old" }, { name: "cirros", data: "old" }, { name: "cirros", data: "old" }, { name: "cirros", data: "new" }],
    glance: (g) => (g.pageMax = 2),
    entries: [cirros()],
    status: "ok",
    mutations: [],
  },
  {
    title: "two entries: one in place, one uploaded, one line each in the summary",
    have: [{ name: "cirros", data: "new" }],
    entries: [cirros(), { name: "ubuntu", file: "old", visibility: "private" }],
    status: "changed",
    summary: /^upload image ubuntu from .*\/old$/,
    mutations: ["POST /v2/images", "PUT /v2/images/img-2/file"],
    after: ["cirros:new", "ubuntu:old"],
  },
];

// Which version of FILES an image holds, by its hash.
const version = (hash: unknown) => Object.keys(FILES).find((k) => sha512(FILES[k]!) === hash || md5(FILES[k]!) === hash) ?? "?";

describe("glanceImage: Glance's images and local files in, requests out", () => {
  for (const c of cases) {
    it(c.title, async () => {
      const h = new ScriptedHost("h1");
      const fakes = await attachFakes(h);
      const g = fakes.glance;
      c.glance?.(g);
      for (const image of c.have ?? []) g.add({ name: image.name, ...image.fields }, image.data === undefined ? undefined : FILES[image.data]);
      const entries = glanceImagesSchema.parse(
        c.entries.map((e) => ({ ...e, ...(e.file ? { file: join(dir, e.file as string) } : {}), ...(e.url ? { url: String(e.url).replace("@web", webBase) } : {}) })),
      );
      const task = glanceImage({ name: "Glance image catalogue", tags: ["images"], images: () => entries });
      downloads.length = 0;
      try {
        const result = await runTask(h, task, { check: c.check ?? false, vars: glanceVarsFor });
        assert.equal(result.status, c.status, JSON.stringify(result));
        if (c.summary) assert.match(result.summary ?? "", c.summary);
        if (c.error) assert.match(result.error ?? "", c.error);
        if (c.diff) assert.match(result.diff ?? "", c.diff);
        for (const [i, pattern] of (c.actions ?? []).entries()) assert.match(result.actions?.[i] ?? "", pattern);
        assert.deepEqual(g.mutations(), c.mutations);
        if (c.after) assert.deepEqual(g.images.map((i) => `${i.name}:${version(i.os_hash_value)}`), c.after);
        // Every image this task made holds the entry's formats, visibility and properties.
        for (const made of g.images.filter((i) => c.mutations.includes(`PUT /v2/images/${i.id}/file`))) {
          const entry = entries.find((e) => e.name === made.name)!;
          assert.equal(made.status, "active");
          assert.deepEqual([made.disk_format, made.container_format, made.visibility], [entry.disk_format, entry.container_format, entry.visibility]);
          for (const [k, v] of Object.entries(entry.properties)) assert.equal(made[k], v);
        }
        if (c.status === "changed" && !c.check) {
          const again = await runTask(h, task, { vars: glanceVarsFor });
          assert.equal(again.status, "ok", `a second run changes nothing: ${JSON.stringify(again)}`);
        }
        if (c.downloads !== undefined) assert.equal(downloads.length, c.downloads, downloads.join(" "));
      } finally {
        await fakes.close();
      }
    });
  }
});
