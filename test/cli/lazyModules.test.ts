// Start-up cost is paid per run: `render`, `--help` and `--version` must not load the SSH, progress or SQL
// libraries. A run that connects is the control: the probe does see ssh2 when it is loaded.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { execa } from "execa";

const ROOT = new URL("../../", import.meta.url).pathname;
const BIN = join(ROOT, "dist/src/cli/bin.js");
const PROBE = join(ROOT, "test/cli/fixtures/loaded-packages.mjs");
const HEAVY = ["ssh2", "listr2", "mysql2"];
const work = mkdtempSync(join(tmpdir(), "gd-lazy-"));
after(() => rmSync(work, { recursive: true, force: true }));

const env = { ADMIN_PASS: "a", KEYSTONE_DBPASS: "b", GLANCE_DBPASS: "c", GLANCE_PASS: "d", CI: "1" };
// Port 1 on loopback: nothing listens, so the deploy fails fast after loading its transport.
const unreachable = join(work, "unreachable.yaml");
writeFileSync(
  unreachable,
  [
    "all:",
    "  vars: { keystone_admin_password: a, glance_db_password: b, glance_keystone_password: c, ssh_known_hosts_file: " + join(work, "kh") + " }",
    "  children:",
    "    controller:",
    "      hosts:",
    "        c1: { ansible_host: 127.0.0.1, ansible_port: 1 }",
    "",
  ].join("\n"),
);

async function loaded(args: string[]): Promise<string[]> {
  const file = join(work, `loaded-${args[0]}-${Date.now()}`);
  await execa("node", ["--import", PROBE, BIN, ...args], { env: { ...env, GD_LOADED_FILE: file }, reject: false, cwd: work });
  return readFileSync(file, "utf8").split("\n").filter(Boolean);
}

describe("heavy modules load only when a command needs them", () => {
  const cases = [
    { args: ["--version"], heavy: [] },
    { args: ["--help"], heavy: [] },
    { args: ["deploy", "--help"], heavy: [] },
    { args: ["render", "--inventory", join(ROOT, "inventory/example.yaml"), "--out", join(work, "out")], heavy: [] },
    { args: ["deploy", "--inventory", unreachable, "--playbook", "glance"], heavy: ["ssh2"] },
  ];
  for (const c of cases) {
    it(`${c.args.slice(0, 2).join(" ")}: ${c.heavy.length ? c.heavy.join(", ") : "none of " + HEAVY.join(", ")}`, async () => {
      const packages = await loaded(c.args);
      assert.ok(packages.includes("commander"), `the probe saw the CLI load: ${packages.join(" ")}`);
      assert.deepEqual(
        HEAVY.filter((p) => packages.includes(p)),
        c.heavy,
        packages.join(" "),
      );
    });
  }
});
