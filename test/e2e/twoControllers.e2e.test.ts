// Two controllers, the second an extra glance-api node using the first's MariaDB and Keystone (the common way
// to add capacity): `deploy --playbook glance` installs and configures glance-api on both, makes every record
// once, and a second run changes nothing.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import type { PlayReport } from "../../src/report/types.js";
import { convergedLab, type ConvergedLab } from "../helpers/converged.js";

const skip = process.getuid?.() !== 0 ? "e2e tests need root (they build lab hosts)" : false;
const BIN = new URL("../../dist/src/cli/bin.js", import.meta.url).pathname;
let lab: ConvergedLab;

async function deploy(extra: string[] = []): Promise<PlayReport> {
  const r = await execa("node", [BIN, "deploy", "--inventory", lab.inventory, "--playbook", "glance", "--json", ...extra], { reject: false, env: { CI: "1" }, timeout: 15 * 60_000 });
  const report = JSON.parse(r.stdout || "{}") as PlayReport;
  assert.equal(r.exitCode, 0, `${r.stderr}\n${JSON.stringify(report.hosts)}\n${report.tasks?.filter((t) => t.status === "failed").map((t) => `${t.host} ${t.name}: ${t.error}`).join("\n")}`);
  return report;
}

async function sh(host: string, command: string): Promise<string> {
  const r = await lab.exec(host, command);
  assert.equal(r.code, 0, `${host}: ${command} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout.trim();
}

const openstack = async (args: string) => JSON.parse(await sh(first(), `. /root/admin-openrc && openstack ${args} -f json`)) as Record<string, string>[];
const first = () => lab.state.hosts[0]!.name;
const second = () => lab.state.hosts[1]!.name;
// A freshly booted clone loads Keystone's and Glance's workers for a while (much longer on a busy machine): the
// deploys below start once the first host's services answer a check-mode run, as an operator's would.
async function firstHostAnswers(): Promise<void> {
  const deadline = Date.now() + 10 * 60_000;
  for (let delay = 2000; ; delay = Math.min(delay * 2, 30_000)) {
    const r = await execa("node", [BIN, "deploy", "--inventory", lab.inventory, "--playbook", "glance", "--check", "--limit", first()], { reject: false, env: { CI: "1" } });
    if (r.exitCode === 0) return;
    if (Date.now() + delay > deadline) assert.fail(`the first host's services never answered:\n${r.stdout}\n${r.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

const changed = (r: PlayReport, host: string) => r.tasks.filter((t) => t.host === host && t.status === "changed").map((t) => t.name);

describe("two controllers: an extra glance-api node beside the first", { skip, timeout: 40 * 60_000 }, () => {
  before(async () => {
    lab = await convergedLab(2, ["site"], { fromHosts: 1, controllers: 2 });
    await firstHostAnswers();
  });
  after(async () => lab?.down());

  it("verify before Glance is on the second host: fails on that host, naming the URL it checked", async () => {
    // The first host answers as `controller`; the check must reach the second host's own glance-api, not that.
    const inventory = join(lab.paths.state, "inventory.short-wait.yaml");
    writeFileSync(inventory, readFileSync(lab.inventory, "utf8").replace("  vars:\n", "  vars:\n    service_start_timeout: 5\n"));
    const r = await execa("node", [BIN, "verify", "--inventory", inventory, "--json"], { reject: false, env: { CI: "1" } });
    assert.equal(r.exitCode, 2, r.stderr);
    const report = JSON.parse(r.stdout) as PlayReport;
    const own = `http://${lab.state.hosts[1]!.address}:9292`;
    const lines = report.tasks.map((t) => `${t.host} ${t.name} ${t.status}`);
    assert.deepEqual(lines, [`${first()} Verify Glance ok`, `${second()} Verify Glance failed`]);
    assert.match(report.tasks[1]!.error ?? "", new RegExp(`^${own}/healthcheck did not answer within 5 s`));
    // The first host's services are bound to the name `controller` (its management_address).
    assert.match(report.tasks[0]!.summary ?? "", /^glance-api answers at http:\/\/controller:9292; uploaded \d+ bytes/);
    assert.equal(report.hosts[second()]!.failed, 1);
  });

  it("deploy --playbook glance: green on both, records made once, glance-api answers on both", async () => {
    const report = await deploy();
    assert.deepEqual(Object.keys(report.hosts), [first(), second()]);
    // The second host got the package and its configuration; database and Keystone work stayed on the first.
    const onSecond = changed(report, second());
    for (const t of ["Glance packages", "glance-api.conf"]) assert.ok(onSecond.includes(t), `${t} on ${second()}: ${onSecond.join(", ")}`);
    const secondNames = report.tasks.filter((t) => t.host === second()).map((t) => t.name);
    for (const t of ["Glance database", "Keystone user glance", "Glance schema at head (glance-manage db_sync)"]) assert.ok(!secondNames.includes(t), `${t} ran on ${second()}`);

    assert.equal((await openstack("user list --domain default")).filter((u) => u.Name === "glance").length, 1);
    assert.equal((await openstack("service list")).filter((s) => s.Type === "image").length, 1);
    const endpoints = await openstack("endpoint list --service image");
    assert.deepEqual(endpoints.map((e) => e.Interface).sort(), ["admin", "internal", "public"]);
    assert.equal(await sh(first(), `mysql -N -e "SELECT GROUP_CONCAT(Host ORDER BY Host) FROM mysql.user WHERE User='glance'"`), "%,localhost");
    assert.equal((await sh(second(), "command -v mysqld || echo none")), "none", "no MariaDB on the API node");

    // Each host's own glance-api answers, at its own address.
    for (const h of lab.state.hosts) {
      const status = await sh(h.name, `python3 -c "import urllib.request as u; print(u.urlopen('http://${h.address}:9292/healthcheck', timeout=5).status)"`);
      assert.equal(status, "200", `${h.name} glance-api`);
      const verify = report.tasks.find((t) => t.host === h.name && t.name === "Verify Glance");
      assert.equal(verify?.status, "ok", `${h.name} verified: ${JSON.stringify(verify)}`);
    }
  });

  it("second run: 0 changed on both, and check mode agrees", async () => {
    const again = await deploy();
    assert.deepEqual([...changed(again, first()), ...changed(again, second())], []);
    const check = await deploy(["--check"]);
    assert.deepEqual(check.tasks.filter((t) => t.status !== "ok").map((t) => `${t.host} ${t.name}: ${t.status}`), []);
  });

  it("verify checks both hosts' own API and uploads through the catalogue", async () => {
    const r = await execa("node", [BIN, "verify", "--inventory", lab.inventory, "--json"], { reject: false, env: { CI: "1" } });
    assert.equal(r.exitCode, 0, r.stderr);
    const report = JSON.parse(r.stdout) as PlayReport;
    const lines = report.tasks.map((t) => `${t.host} ${t.name} ${t.status}`);
    assert.deepEqual(lines, [`${first()} Verify Glance ok`, `${second()} Verify Glance ok`]);
    assert.match(report.tasks[0]!.summary ?? "", /uploaded \d+ bytes .*active, md5 and sha512 match, listed/);
    assert.match(report.tasks[1]!.summary ?? "", new RegExp(`glance-api answers at http://${lab.state.hosts[1]!.address}:9292`));
  });
});
