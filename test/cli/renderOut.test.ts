// `render --out` holds real passwords: whatever was at OUT before (0644 copies, 0755 directories, links, a
// permissive umask), every file it writes ends 0600 in directories 0700; an OUT that is a file or cannot be
// created is one line and exit 5, never a stack or a spin.
import assert from "node:assert/strict";
import { chmodSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { execa } from "execa";

const ROOT = new URL("../../", import.meta.url).pathname;
const BIN = join(ROOT, "dist/src/cli/bin.js");
const INVENTORY = join(ROOT, "inventory/example.yaml");
const env = { ADMIN_PASS: "adm1n", KEYSTONE_DBPASS: "ksdb2", GLANCE_DBPASS: "gldb3", GLANCE_PASS: "glks4" };
const work = mkdtempSync(join(tmpdir(), "gd-render-out-"));
after(() => rmSync(work, { recursive: true, force: true }));

const CONF = "controller1/etc/glance/glance-api.conf";
const mode = (path: string) => (statSync(path).mode & 0o7777).toString(8);

// The CLI under a permissive umask, as an operator's shell often has; bounded so a spin fails the test.
async function render(out: string) {
  const r = await execa("sh", ["-c", `umask 022; exec node "$0" render --inventory "$1" --out "$2"`, BIN, INVENTORY, out], {
    env,
    reject: false,
    timeout: 30_000,
  });
  return { code: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr), timedOut: r.timedOut };
}

// Every file and directory below OUT (OUT itself excluded), with its mode.
function modesBelow(out: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      found.set(join(rel, name), mode(path));
      if (statSync(path).isDirectory()) walk(path, join(rel, name));
    }
  };
  walk(out, "");
  return found;
}

describe("render --out writes privately", () => {
  // `before` prepares OUT; without one, OUT and two parents do not exist yet.
  const cases: { title: string; before?(out: string): void; check?(out: string): void }[] = [
    { title: "a fresh OUT (missing parents too)" },
    {
      title: "an earlier render left 0644 files in 0755 directories",
      before(out) {
        mkdirSync(join(out, "controller1/etc/glance"), { recursive: true, mode: 0o755 });
        for (const d of ["controller1", "controller1/etc", "controller1/etc/glance"]) chmodSync(join(out, d), 0o755);
        writeFileSync(join(out, CONF), "old\n", { mode: 0o644 });
        chmodSync(join(out, CONF), 0o644);
      },
    },
    {
      title: "a target hard-linked to a file elsewhere: replaced, the other file untouched",
      before(out) {
        mkdirSync(join(out, "controller1/etc/glance"), { recursive: true });
        writeFileSync(join(work, "elsewhere"), "keep\n", { mode: 0o644 });
        linkSync(join(work, "elsewhere"), join(out, CONF));
      },
      check() {
        assert.equal(readFileSync(join(work, "elsewhere"), "utf8"), "keep\n");
        assert.equal(mode(join(work, "elsewhere")), "644");
      },
    },
  ];
  for (const [i, c] of cases.entries()) {
    it(c.title, async () => {
      const out = join(work, `case${i}`, "deeper", "out");
      if (c.before) {
        mkdirSync(out, { recursive: true });
        c.before(out);
      }
      const r = await render(out);
      assert.equal(r.code, 0, r.stderr);
      const modes = modesBelow(out);
      assert.ok(modes.has(CONF), [...modes.keys()].join("\n"));
      for (const [path, m] of modes) assert.equal(m, statSync(join(out, path)).isDirectory() ? "700" : "600", path);
      assert.match(readFileSync(join(out, CONF), "utf8"), /^password = glks4$/m);
      if (!c.before) assert.equal(mode(join(work, `case${i}`)), "700", "directories render creates above OUT are private too");
      c.check?.(out);
    });
  }

  it("leaves an existing OUT's own mode alone (it may be a shared directory)", async () => {
    const out = join(work, "shared");
    mkdirSync(out);
    chmodSync(out, 0o1777);
    assert.equal((await render(out)).code, 0);
    assert.equal(mode(out), "1777");
  });
});

describe("render --out refuses in one line (exit 5)", () => {
  writeFileSync(join(work, "a-file"), "x\n");
  mkdirSync(join(work, "linked"));
  mkdirSync(join(work, "victim"));
  symlinkSync(join(work, "victim"), join(work, "linked", "controller1"));
  const cases: { out: string; message: RegExp }[] = [
    { out: join(work, "a-file"), message: /^glance-deploy: render --out \S+: \S+a-file is not a directory$/ },
    { out: join(work, "a-file", "sub"), message: /^glance-deploy: render --out \S+: \S+a-file is not a directory$/ },
    { out: "/proc/nope", message: /^glance-deploy: render --out \/proc\/nope: cannot write \/proc\/nope: ENOENT \(no such file or directory\)$/ },
    { out: join(work, "linked"), message: /controller1 is a symbolic link; refusing to write through it$/ },
  ];
  for (const c of cases) {
    it(c.out.replace(work, "WORK"), async () => {
      const r = await render(c.out);
      assert.equal(r.timedOut, false, "render must not spin");
      assert.equal(r.code, 5, r.stderr);
      assert.equal(r.stdout, "");
      const lines = r.stderr.trim().split("\n");
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, c.message);
    });
  }

  it("nothing was written through the symbolic link", () => assert.deepEqual(readdirSync(join(work, "victim")), []));
});
