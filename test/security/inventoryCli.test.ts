// Malformed and hostile inventories through the real CLI process (compiled dist/): exit 5, one
// `FILE:LINE:COLUMN: key.path: problem` line on stderr, never a stack trace, nothing connects; stdout holds
// nothing, or with --json the error document alone.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { execa } from "execa";

const BIN = new URL("../../dist/src/cli/bin.js", import.meta.url).pathname;
const dir = new URL("../inventory/bad/", import.meta.url).pathname;

// A spread of loader paths: YAML syntax, typos, types, secrets, and the INI-breaking values.
const cases = [
  "yaml-syntax.yaml",
  "tab-indent.yaml",
  "unknown-variable.yaml",
  "bad-port-type.yaml",
  "duplicate-host.yaml",
  "missing-env.yaml",
  "db-password-not-latin1.yaml",
  "newline-in-var.yaml",
  "newline-override.yaml",
  "section-injection.yaml",
];

async function cli(args: string[]) {
  // Only PATH: the corpus expects its env secrets to be unset.
  const r = await execa("node", [BIN, ...args], { reject: false, extendEnv: false, env: { PATH: process.env.PATH ?? "", CI: "1" }, timeout: 60_000 });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe("malformed inventories through the CLI", () => {
  for (const name of cases) {
    it(`${name}: exit 5, file:line:column and key path, no stack trace`, async () => {
      const file = join(dir, name);
      const expect = /^# expect: (\d+):(\d+) (.*)$/m.exec(readFileSync(file, "utf8"));
      assert.ok(expect, "corpus file states its expectation");
      for (const args of [["deploy", "--inventory", file, "--json"], ["deploy", "--inventory", file, "--playbook", "site", "--check"]]) {
        const r = await cli(args);
        assert.equal(r.code, 5, `${args.join(" ")}: ${r.stderr}`);
        const lines = r.stderr.trim().split("\n").filter((l) => !l.startsWith("warning: "));
        assert.equal(lines.length, 1, `one line:\n${r.stderr}`);
        assert.ok(lines[0]!.includes(`${file}:${expect[1]}:${expect[2]}: ${expect[3]}`), r.stderr);
        // No partial report: with --json, stdout is the error document alone (the same line); else nothing.
        if (args.includes("--json")) {
          const doc = JSON.parse(r.stdout) as { version: number; error: { code: number; message: string } };
          assert.deepEqual([doc.version, doc.error.code, `glance-deploy: ${doc.error.message}`], [1, 5, lines[0]]);
        } else assert.equal(r.stdout, "");
        assert.doesNotMatch(r.stderr, /\n\s+at |Error:|node:internal/, "no stack trace");
      }
    });
  }

  it("render rejects an INI section injected through an override the same way", async () => {
    const file = join(dir, "section-injection.yaml");
    const r = await cli(["render", "--inventory", file, "--out", "/nonexistent/never-written"]);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, new RegExp(`^glance-deploy: ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: `));
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});
