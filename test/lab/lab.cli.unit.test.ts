// The `lab` command line: its subcommands and options, and that bad option values are usage errors (exit 5).
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { execa } from "execa";
import { labCommand } from "../../src/cli/lab.js";

const repoRoot = new URL("../../", import.meta.url).pathname;
const BIN = join(repoRoot, "dist/src/cli/bin.js");

describe("lab CLI", () => {
  it("offers up, status, ssh, down, snapshot and upgrade", () => {
    assert.deepEqual(labCommand().commands.map((c) => c.name()), ["up", "status", "ssh", "down", "snapshot", "upgrade"]);
  });

  it("takes --controllers and --from-hosts as whole numbers on lab up", () => {
    const up = labCommand().commands.find((c) => c.name() === "up")!;
    const flags = up.options.map((o) => o.long);
    for (const f of ["--hosts", "--controllers", "--from", "--from-hosts", "--release"]) assert.ok(flags.includes(f), f);
  });

  // Refused before anything is installed, built or started, like the bad counts below.
  it("answers an unknown --release with exit 5 naming the supported releases, on up and upgrade", async () => {
    const env = { GLANCE_DEPLOY_LAB_STATE: join(tmpdir(), "glance-deploy-never-built") };
    for (const args of [["up", "--release", "sid"], ["upgrade", "lab1", "--release", "sid"]]) {
      const r = await execa("node", [BIN, "lab", ...args], { reject: false, env });
      assert.equal(r.exitCode, 5, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /--release sid.*bookworm, trixie/);
    }
    const missing = await execa("node", [BIN, "lab", "upgrade", "lab1"], { reject: false, env });
    assert.equal(missing.exitCode, 5, missing.stderr);
    assert.match(missing.stderr, /--release/);
  });

  // Each is refused before anything is built or started, so running the built CLI here touches nothing.
  it("answers a bad count with the usage exit code, 5", async () => {
    const bad = [["--hosts", "0"], ["--controllers", "x"], ["--hosts", "2", "--controllers", "3"], ["--from-hosts", "1"], ["--hosts", "2", "--from", "s", "--from-hosts", "3"]];
    for (const args of bad) {
      const r = await execa("node", [BIN, "lab", "up", ...args], { reject: false, env: { GLANCE_DEPLOY_LAB_STATE: join(tmpdir(), "glance-deploy-never-built") } });
      assert.equal(r.exitCode, 5, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, /--hosts|--controllers|--from-hosts/);
    }
  });

  it("loads src/lab only inside actions, so --help stays fast", async () => {
    const source = await readFile(join(repoRoot, "src/cli/lab.ts"), "utf8");
    assert.doesNotMatch(source, /^import[^\n]*from "\.\.\/lab\//m);
    assert.match(source, /await import\("\.\.\/lab\/up\.js"\)/);
  });
});
