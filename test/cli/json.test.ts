// `--json` prints exactly one JSON document on every exit: a refused command line or inventory gets an error
// document `{"version":1,"error":{"code","message"}}` (redacted), and a bug (exit 1) one too.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Command } from "commander";
import { execa } from "execa";
import { main } from "../../src/cli/main.js";
import { redactor } from "../../src/secrets/redactor.js";

const ROOT = new URL("../../", import.meta.url).pathname;
const BIN = join(ROOT, "dist/src/cli/bin.js");
const EXAMPLE = join(ROOT, "inventory/example.yaml");
const BAD = join(ROOT, "test/inventory/bad/unknown-variable.yaml");
const secret = "zq-limit-secret-5521";
const env = { PATH: process.env.PATH ?? "", CI: "1", ADMIN_PASS: "a-x1", KEYSTONE_DBPASS: "b-x2", GLANCE_DBPASS: "c-x3", GLANCE_PASS: secret };
const work = mkdtempSync(join(tmpdir(), "gd-json-"));
after(() => rmSync(work, { recursive: true, force: true }));
writeFileSync(join(work, "a-file"), "");
mkdirSync(join(work, "a-dir"));

async function cli(args: string[]) {
  const r = await execa("node", [BIN, ...args], { reject: false, extendEnv: false, env, timeout: 60_000 });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

// The whole of stdout must be one JSON document.
function onlyDocument(stdout: string): { version: number; error: { code: number; message: string } } {
  const lines = stdout.split("\n").filter((l) => l !== "");
  assert.equal(lines.length, 1, `one line on stdout:\n${stdout}`);
  return JSON.parse(lines[0]!);
}

const deploy = (...rest: string[]) => ["deploy", "--inventory", EXAMPLE, "--json", ...rest];
const cases: [what: string, args: string[], message: RegExp][] = [
  ["unknown playbook", deploy("--playbook", "nope"), /^unknown playbook nope; known: site, /],
  ["--limit ghost", deploy("--limit", "ghost"), /^--limit ghost: no such host or group/],
  ["bad inventory", ["deploy", "--inventory", BAD, "--json"], /unknown-variable\.yaml:4:5: all\.vars\.glance_db_pasword: not a known variable.*did you mean `glance_db_password`/],
  ["--concurrency 0", deploy("--concurrency", "0"), /--concurrency <n>' argument '0' is invalid/],
  ["unknown option", deploy("--frobnicate"), /unknown option '--frobnicate'/],
  ["unknown tag", deploy("--tags", "glace"), /^--tags: unknown tag "glace" \(did you mean glance\?\); playbook glance knows: always, /],
  ["unknown skip tag", deploy("--skip-tags", "mariadb"), /^--skip-tags: unknown tag "mariadb"; playbook glance knows: .*\bverify$/],
  ["--junit in a missing directory", deploy("--junit", join(work, "missing/report.xml")), /^--junit \S+missing\/report\.xml: directory \S+missing does not exist$/],
  ["--junit under a file", deploy("--junit", join(work, "a-file/report.xml")), /^--junit \S+: \S+a-file is not a directory$/],
  ["--junit naming a directory", deploy("--junit", join(work, "a-dir")), /^--junit \S+a-dir: is a directory$/],
  ["--detailed-exitcode without --check", deploy("--detailed-exitcode"), /^--detailed-exitcode needs --check/],
  ["verify --limit ghost", ["verify", "--inventory", EXAMPLE, "--json", "--limit", "ghost"], /^--limit ghost: no such host/],
  ["a secret in the message is masked", deploy("--limit", secret), /^--limit \*\*\*: no such host or group/],
];

describe("exit 5 with --json: one error document on stdout, one line on stderr", () => {
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const r = await cli(args);
      assert.equal(r.code, 5, r.stderr);
      const doc = onlyDocument(r.stdout);
      assert.deepEqual(Object.keys(doc), ["version", "error"]);
      assert.equal(doc.version, 1);
      assert.equal(doc.error.code, 5);
      assert.match(doc.error.message, message);
      assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), "the secret is masked everywhere");
      // Commander adds its usage text after its own error line; every other refusal is exactly one line.
      if (!args.some((a) => /^--(concurrency|frobnicate)$/.test(a))) assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    });
  }

  it("the same refusal without --json prints nothing on stdout", async () => {
    const r = await cli(["deploy", "--inventory", EXAMPLE, "--limit", "ghost"]);
    assert.equal(r.code, 5);
    assert.equal(r.stdout, "");
  });

  it("a --junit path that was refused is not created", async () => {
    const r = await cli(deploy("--junit", join(work, "missing/report.xml")));
    assert.equal(r.code, 5);
    assert.ok(!existsSync(join(work, "missing")), "nothing created");
  });
});

describe("the inventory's notes", () => {
  it("deploy -v prints what was not read; without -v it stays quiet", async () => {
    const file = join(work, "with-compute.yaml");
    writeFileSync(file, "all:\n  children:\n    controller: { hosts: { c1: {} } }\n    compute: { vars: { nova_foo: 1 }, hosts: { n1: {} } }\n");
    // A refused --junit stops the run after the inventory is read and before anything connects.
    const args = ["deploy", "--inventory", file, "--playbook", "mariadb", "--junit", join(work, "missing/r.xml")];
    const verbose = await cli([...args, "-v"]);
    assert.equal(verbose.code, 5);
    assert.match(verbose.stderr, /^note: \S+with-compute\.yaml:4:\d+: all\.children\.compute\.vars: not read \(group `compute` has no host in `controller`, the group the play runs on\): nova_foo$/m);
    const quiet = await cli(args);
    assert.doesNotMatch(quiet.stderr, /note:/);
  });
});

describe("exit 1 (a bug) with --json", () => {
  it("prints an error document with the first line of the error, the stack on stderr only", async () => {
    redactor.add(secret);
    const root = new Command("glance-deploy").exitOverride();
    root.command("deploy").option("--json").action(() => {
      throw new TypeError(`cannot read properties of undefined (reading '${secret}')\nsecond line`);
    });
    const stdout: string[] = [];
    const stderr: string[] = [];
    const writes = [process.stdout.write, process.stderr.write] as const;
    process.stdout.write = ((chunk: string) => stdout.push(chunk) > 0) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string) => stderr.push(chunk) > 0) as typeof process.stderr.write;
    let code: number;
    try {
      code = await main(["node", "glance-deploy", "deploy", "--json"], root);
    } finally {
      [process.stdout.write, process.stderr.write] = writes;
    }
    assert.equal(code, 1);
    const doc = onlyDocument(stdout.join(""));
    assert.equal(doc.error.code, 1);
    assert.equal(doc.error.message, "internal error: cannot read properties of undefined (reading '***') second line");
    assert.match(stderr.join(""), /^glance-deploy: internal error: TypeError: [^\n]*\nsecond line\n\s+at /);
  });
});
