import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runPlay } from "../../src/apply/play.js";
import { plainReporter } from "../../src/report/plain.js";
import { TunnelError } from "../../src/transport/errors.js";
import { glanceVerification } from "../../src/verify/glance.js";
import { ScriptedHost } from "../helpers/scriptedHost.js";
import { hostVars } from "../tasks/runTask.js";
import { FakeGlance } from "../http/glanceFake.js";
import { runVerify } from "./run.js";

const dir = mkdtempSync(join(tmpdir(), "gd-verify-"));
const image = join(dir, "verify.qcow2");
const DATA = Buffer.alloc(3 << 20, "qcow2 ");
// Serves DATA at /image (with a length) and /chunked (without); anything else is 404.
const web = http.createServer((req, res) => {
  if (req.url === "/image") return void res.writeHead(200, { "content-length": String(DATA.length) }).end(DATA);
  if (req.url === "/chunked") return void res.writeHead(200).end(DATA);
  res.writeHead(404).end();
});
let base = "";
before(async () => {
  writeFileSync(image, DATA);
  await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
});
after(() => {
  web.close();
  rmSync(dir, { recursive: true, force: true });
});

const uploaded = `uploaded ${DATA.length} bytes through http://controller:9292: active, md5 and sha512 match, listed`;
const cases: {
  title: string;
  vars: () => Record<string, unknown>;
  glance?: (g: FakeGlance) => void;
  ok: boolean;
  said: RegExp;
  mutations: string[];
  // Image ids left in Glance.
  left?: string[];
}[] = [
  { title: "a file is streamed, checked and deleted", vars: () => ({ verify_image_file: image }), ok: true, said: new RegExp(uploaded), mutations: ["POST /v2/images", "PUT /v2/images/img-1/file", "DELETE /v2/images/img-1"], left: [] },
  { title: "a URL is downloaded while it is uploaded", vars: () => ({ verify_image_url: `${base}/image` }), ok: true, said: new RegExp(uploaded), mutations: ["POST /v2/images", "PUT /v2/images/img-1/file", "DELETE /v2/images/img-1"], left: [] },
  { title: "a URL without a length is uploaded chunked", vars: () => ({ verify_image_url: `${base}/chunked` }), ok: true, said: new RegExp(uploaded), mutations: ["POST /v2/images", "PUT /v2/images/img-1/file", "DELETE /v2/images/img-1"], left: [] },
  {
    title: "keep_verify_image keeps the new image and deletes older ones",
    vars: () => ({ verify_image_file: image, keep_verify_image: true }),
    glance: (g) => void g.add({ name: "glance-deploy-verify" }, "older"),
    ok: true,
    said: new RegExp(uploaded),
    mutations: ["POST /v2/images", "PUT /v2/images/img-2/file", "DELETE /v2/images/img-1"],
    left: ["img-2"],
  },
  { title: "a URL that answers 404 fails and leaves no image", vars: () => ({ verify_image_url: `${base}/missing` }), ok: false, said: /cannot download http:\/\/127\.0\.0\.1:\d+\/missing: HTTP 404/, mutations: ["POST /v2/images", "DELETE /v2/images/img-1"], left: [] },
  { title: "a missing file fails and leaves no image", vars: () => ({ verify_image_file: join(dir, "nope.qcow2") }), ok: false, said: /ENOENT/, mutations: ["POST /v2/images", "DELETE /v2/images/img-1"], left: [] },
  { title: "no file and no URL: fails before any request that writes", vars: () => ({}), ok: false, said: /set verify_image_file or verify_image_url/, mutations: [] },
  {
    title: "Glance refuses the data: fails with its status, the image is deleted",
    vars: () => ({ verify_image_file: image }),
    glance: (g) => (g.fault = (method) => (method === "PUT" ? 500 : undefined)),
    ok: false,
    said: /upload of .*verify\.qcow2: HTTP 500/,
    mutations: ["POST /v2/images", "PUT /v2/images/img-1/file", "DELETE /v2/images/img-1"],
    left: [],
  },
  {
    title: "Glance's checksum differs from what was sent: fails naming it",
    vars: () => ({ verify_image_file: image }),
    glance: (g) => (g.afterUpload = (i) => void (i.checksum = "0".repeat(32))),
    ok: false,
    said: /Glance's checksum 0{32} differs from the md5 of what was sent/,
    mutations: ["POST /v2/images", "PUT /v2/images/img-1/file", "DELETE /v2/images/img-1"],
  },
  {
    title: "Glance's os_hash_value differs from what was sent: fails naming it",
    vars: () => ({ verify_image_file: image }),
    glance: (g) => (g.afterUpload = (i) => void (i.os_hash_value = "0".repeat(128))),
    ok: false,
    said: /Glance's os_hash_value differs from the sha512 of what was sent/,
    mutations: ["POST /v2/images", "PUT /v2/images/img-1/file", "DELETE /v2/images/img-1"],
  },
];

describe("verify's upload: streamed from a file or URL, checked against Glance's record", () => {
  for (const c of cases) {
    it(c.title, async () => {
      const g = new FakeGlance();
      c.glance?.(g);
      const { report } = await runVerify(c.vars(), { glance: g });
      const line = report.tasks.find((t) => t.name === "Verify Glance")!;
      assert.equal(line.status, c.ok ? "ok" : "failed", JSON.stringify(line));
      assert.match((c.ok ? line.summary : line.error) ?? "", c.said);
      assert.deepEqual(g.mutations(), c.mutations);
      if (c.left) assert.deepEqual(g.images.map((i) => i.id), c.left);
    });
  }

  it("shows the upload's progress: bytes, share, rate and time left", async () => {
    const lines: string[] = [];
    const events = plainReporter((l) => lines.push(l), { check: false, verbose: false, progressEveryMs: 0 });
    const { report } = await runVerify({ verify_image_file: image }, { events });
    assert.equal(report.tasks[0]!.status, "ok");
    const progress = lines.filter((l) => l.includes("verify: upload"));
    assert.ok(progress.length >= 1, lines.join("\n"));
    assert.match(progress.at(-1)!, /^\d\d:\d\d:\d\d\.\d{3} h1: verify: upload .*verify\.qcow2: 3\.0 MiB of 3\.0 MiB \(100%\), [\d.]+ (B|KiB|MiB|GiB)\/s, 0 s left$/);
  });

  it("a host whose own API is the catalogue's, with Keystone down: the early reads leave no rejection unhandled", async () => {
    const unhandled: unknown[] = [];
    const note = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", note);
    try {
      const h = new ScriptedHost("h1");
      h.forwardTo = async (host, port) => Promise.reject(new TunnelError("h1", `${host}:${port}`, "Connection refused"));
      await runPlay({
        playbook: { name: "verify", group: "controller", tasks: [], verify: glanceVerification({ tags: ["verify"], upload: () => true }) },
        hosts: [{ name: "h1", groups: ["controller"], vars: hostVars({ management_address: "controller", keystone_admin_password: "a" }) }],
        connect: async () => h,
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(unhandled.map(String), []);
    } finally {
      process.off("unhandledRejection", note);
    }
  });
});
