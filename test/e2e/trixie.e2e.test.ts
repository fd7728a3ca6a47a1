// Debian 13 for real: a blank trixie lab host → site deploy → verify; a second run changes nothing and --check
// reports nothing to change. The host really is trixie with the versions its profile was written from.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { execa } from "execa";
import { labExec } from "../../src/lab/index.js";
import { profileFor } from "../../src/profiles/index.js";
import type { PlayReport } from "../../src/report/types.js";
import { useTempLab } from "../helpers/tempLab.js";

const skip = process.getuid?.() !== 0 ? "e2e tests need root (they build lab hosts)" : false;
const BIN = new URL("../../dist/src/cli/bin.js", import.meta.url).pathname;
const HOST = "lab1";

const lab = useTempLab("glance-deploy-trixie-", { hosts: 1, release: "trixie", log: () => undefined });

async function cli(args: string[]): Promise<{ code: number; report: PlayReport; stderr: string }> {
  const r = await execa("node", [BIN, ...args, "--inventory", lab.inventory, "--json"], { reject: false, env: { CI: "1" }, timeout: 15 * 60_000 });
  try {
    return { code: r.exitCode ?? -1, report: JSON.parse(r.stdout) as PlayReport, stderr: r.stderr };
  } catch {
    assert.fail(`${args.join(" ")} printed no JSON report (exit ${r.exitCode}):\n${r.stdout}\n${r.stderr}`);
  }
}

async function sh(command: string): Promise<string> {
  const r = await labExec(HOST, command, { timeoutMs: 120_000 });
  assert.equal(r.code, 0, `${command} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

const failures = (report: PlayReport) => report.tasks.filter((t) => t.status === "failed").map((t) => `${t.name}: ${t.error}`).join("\n") + JSON.stringify(report.hosts);
const changedTasks = (report: PlayReport) => report.tasks.filter((t) => t.status === "changed").map((t) => t.name);

describe("site on a Debian 13 lab host", { skip, timeout: 30 * 60_000 }, () => {
  it("the blank host runs trixie", async () => {
    assert.match(await sh("cat /etc/os-release"), /^VERSION_CODENAME=trixie$/m);
  });

  it("site deploy succeeds on the blank host and installs the trixie versions", async () => {
    const { code, report } = await cli(["deploy", "--playbook", "site"]);
    assert.equal(code, 0, failures(report));
    assert.ok(changedTasks(report).length > 10, changedTasks(report).join(", "));
    const versions = await sh("dpkg-query -W -f '${Package} ${Version}\\n' keystone glance-api mariadb-server");
    assert.match(versions, /^keystone 2:27\./m);
    assert.match(versions, /^glance-api 2:30\./m);
    assert.match(versions, /^mariadb-server 1:11\.8\./m);
  });

  it("has every path and unit of the trixie profile: paths present, services active", async () => {
    const profile = profileFor({ os_release: "trixie" });
    for (const [name, path] of Object.entries(profile.paths)) assert.equal((await labExec(HOST, `test -e ${path}`)).code, 0, `${name}: ${path} missing`);
    for (const unit of Object.values(profile.units)) assert.equal((await sh(`systemctl is-active ${unit}`)).trim(), "active", unit);
  });

  it("verify uploads an image that becomes active with a matching checksum", async () => {
    const { code, report } = await cli(["verify"]);
    assert.equal(code, 0, failures(report));
    assert.deepEqual(report.tasks.map((t) => [t.name, t.status]), [["Verify Glance", "ok"]]);
  });

  it("a second deploy changes nothing", async () => {
    const { code, report } = await cli(["deploy", "--playbook", "site"]);
    assert.equal(code, 0, failures(report));
    assert.deepEqual(changedTasks(report), []);
  });

  it("--check on the converged host reports nothing to change", async () => {
    const { code, report } = await cli(["deploy", "--playbook", "site", "--check", "--detailed-exitcode"]);
    assert.equal(code, 0, failures(report));
    assert.equal(report.check, true);
    assert.deepEqual(changedTasks(report), []);
  });
});
