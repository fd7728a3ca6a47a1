// `render` must keep writing exactly these bytes: the golden trees under test/golden/ were rendered before the
// engine was reshaped (plays across hosts, release profiles). A deliberate change of a rendered file updates
// them with GOLDEN_UPDATE=1 and shows up in review as a diff of the golden files.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, describe, it } from "node:test";
import { execa } from "execa";

const ROOT = new URL("../../", import.meta.url).pathname;
const BIN = join(ROOT, "dist/src/cli/bin.js");
const GOLDEN = join(ROOT, "test/golden");
const work = mkdtempSync(join(tmpdir(), "gd-golden-"));
after(() => rmSync(work, { recursive: true, force: true }));

// Hostile but fixed secrets, so every quoting layer is covered by the golden bytes.
const secrets = {
  keystone_admin_password: "adm'in$1 \"q\"",
  keystone_db_password: "ks%db@2#;x",
  glance_db_password: "gl:db/3 $HOME",
  glance_keystone_password: "gl{{ks}}4\\é",
};
const env = {
  ADMIN_PASS: secrets.keystone_admin_password,
  KEYSTONE_DBPASS: secrets.keystone_db_password,
  GLANCE_DBPASS: secrets.glance_db_password,
  GLANCE_PASS: secrets.glance_keystone_password,
};

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((p) => statSync(join(dir, p)).isFile()).sort();
}

// The lab inventory reads its secrets from files under the lab's state directory: point it at copies here.
function labInventory(): string {
  const dir = join(work, "lab-secrets");
  mkdirSync(dir, { recursive: true });
  for (const [name, value] of Object.entries(secrets)) writeFileSync(join(dir, name), value + "\n");
  const text = readFileSync(join(ROOT, "inventory/lab.yaml"), "utf8").replaceAll("/var/lib/glance-deploy/lab/secrets/", dir + "/");
  const path = join(work, "lab.yaml");
  writeFileSync(path, text);
  return path;
}

const cases = [
  { name: "example", inventory: () => join(ROOT, "inventory/example.yaml") },
  { name: "lab", inventory: labInventory },
];

// `render --placeholders` reads no secret (no environment given at all) and differs from a normal render only
// where secrets stand: rendering normally with each secret set to its own placeholder gives the same bytes.
describe("render --placeholders", () => {
  it("matches its golden files and a normal render whose secrets are the placeholders", async () => {
    const out = join(work, "placeholders");
    const bare = Object.fromEntries(Object.entries(process.env).filter(([k]) => !(k in env)));
    const r = await execa("node", [BIN, "render", "--inventory", join(ROOT, "inventory/example.yaml"), "--out", out, "--placeholders"], { env: bare, extendEnv: false, reject: false });
    assert.equal(r.exitCode, 0, r.stderr);
    const golden = join(GOLDEN, "example-placeholders");
    if (process.env.GOLDEN_UPDATE === "1") {
      rmSync(golden, { recursive: true, force: true });
      cpSync(out, golden, { recursive: true });
    }
    const same = join(work, "placeholders-as-secrets");
    const named = { ADMIN_PASS: "__keystone_admin_password__", KEYSTONE_DBPASS: "__keystone_db_password__", GLANCE_DBPASS: "__glance_db_password__", GLANCE_PASS: "__glance_keystone_password__" };
    const n = await execa("node", [BIN, "render", "--inventory", join(ROOT, "inventory/example.yaml"), "--out", same], { env: { ...bare, ...named }, extendEnv: false, reject: false });
    assert.equal(n.exitCode, 0, n.stderr);
    assert.deepEqual(files(out), files(golden));
    assert.deepEqual(files(same), files(golden));
    for (const f of files(golden)) {
      const want = readFileSync(join(golden, f), "utf8");
      assert.equal(readFileSync(join(out, f), "utf8"), want, f);
      assert.equal(readFileSync(join(same, f), "utf8"), want, f);
    }
    assert.match(readFileSync(join(golden, "controller1/etc/glance/glance-api.conf"), "utf8"), /^password = __glance_keystone_password__$/m);
  });
});

describe("render is byte-identical to the golden files", () => {
  for (const c of cases) {
    it(c.name, async () => {
      const out = join(work, c.name);
      const r = await execa("node", [BIN, "render", "--inventory", c.inventory(), "--out", out], { env: { ...process.env, ...env }, reject: false });
      assert.equal(r.exitCode, 0, r.stderr);
      const golden = join(GOLDEN, c.name);
      if (process.env.GOLDEN_UPDATE === "1") {
        rmSync(golden, { recursive: true, force: true });
        cpSync(out, golden, { recursive: true });
      }
      assert.deepEqual(files(out), files(golden));
      for (const f of files(golden)) {
        assert.equal(readFileSync(join(out, f), "utf8"), readFileSync(join(golden, f), "utf8"), relative(ROOT, join(golden, f)));
      }
    });
  }
});
