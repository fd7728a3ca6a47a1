// `render` needs no network at all: run it in a fresh network namespace (no interface but a down loopback)
// and compare its output with an ordinary run.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, it } from "node:test";
import { execa } from "execa";

const ROOT = new URL("../../", import.meta.url).pathname;
const BIN = join(ROOT, "dist/src/cli/bin.js");
const env = { ADMIN_PASS: "adm'in$1", KEYSTONE_DBPASS: "ks%db@2", GLANCE_DBPASS: "gl:db/3", GLANCE_PASS: "gl{{ks}}4" };
const work = mkdtempSync(join(tmpdir(), "gd-render-"));
after(() => rmSync(work, { recursive: true, force: true }));

it("render on inventory/example.yaml writes the files with no network access", { skip: process.getuid?.() !== 0 ? "needs root for unshare --net" : false }, async () => {
  const offline = await execa("unshare", ["--net", "node", BIN, "render", "--inventory", join(ROOT, "inventory/example.yaml"), "--out", join(work, "offline")], { env, reject: false });
  assert.equal(offline.exitCode, 0, offline.stderr);
  const online = await execa("node", [BIN, "render", "--inventory", join(ROOT, "inventory/example.yaml"), "--out", join(work, "online")], { env });
  assert.equal(online.exitCode, 0);
  for (const path of ["etc/glance/glance-api.conf", "etc/mysql/mariadb.conf.d/99-openstack.cnf", "root/admin-openrc"]) {
    const a = readFileSync(join(work, "offline/controller1", path), "utf8");
    assert.equal(a, readFileSync(join(work, "online/controller1", path), "utf8"), path);
  }
  const conf = readFileSync(join(work, "offline/controller1/etc/glance/glance-api.conf"), "utf8");
  assert.match(conf, /^connection = mysql\+pymysql:\/\/glance:gl%3Adb%2F3@controller\/glance$/m);
  assert.match(conf, /^password = gl\{\{ks\}\}4$/m);
  assert.match(conf, /^show_image_direct_url = true$/m);
  // Nothing secret on the terminal: render prints paths only.
  for (const value of Object.values(env)) assert.ok(!offline.stdout.includes(value) && !offline.stderr.includes(value));
});
