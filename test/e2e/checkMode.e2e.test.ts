// Check mode touches nothing: every command, file write and held script the tool sends during `--check` is
// recorded, on a blank lab host and on a converged one, and none of them writes; the hosts' files say the same.
// `--check --diff` on a blank host lists what each change would run, with every secret masked.
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { execa } from "execa";
import { deploy } from "../../src/core/deploy.js";
import { loadInventory } from "../../src/inventory/load.js";
import { labExec, labPaths } from "../../src/lab/index.js";
import { playbooks } from "../../playbooks/index.js";
import { convergedLab, type ConvergedLab } from "../helpers/converged.js";
import { recordingConnect, writesOf, type Sent } from "../helpers/recording.js";
import { useTempLab } from "../helpers/tempLab.js";

const skip = process.getuid?.() !== 0 ? "e2e tests need root (they build lab hosts)" : false;
const BIN = new URL("../../dist/src/cli/bin.js", import.meta.url).pathname;
const blank = useTempLab("glance-deploy-check-", { hosts: 1, log: () => undefined });
let converged: ConvergedLab | undefined;
after(async () => converged?.down());

// Files changed under the places the tool manages, since the marker. Left out: MariaDB's data files, and the
// services' own runtime caches (a freshly booted Keystone writes its Python entry-point cache under
// /var/lib/keystone/.cache while serving its first read requests): the daemons write those by themselves.
const WATCHED = "/etc /root /var/lib/glance-deploy /var/lib/glance /var/lib/keystone /usr/sbin/policy-rc.d";
const changedSince = (marker: string) => `find ${WATCHED} -newer ${marker} -not -path '/etc/mtab' -not -path '/var/lib/*/.cache*' 2>/dev/null | sort`;

async function checkRun(inventory: string, host: string, exec: (h: string, c: string) => Promise<{ code: number; stdout: string }>) {
  const marker = "/run/glance-deploy-check-marker";
  assert.equal((await exec(host, `touch ${marker} && sleep 1.1`)).code, 0);
  const sent: Sent[] = [];
  const report = await deploy({ inventory: loadInventory(inventory, { requireGroup: "controller" }), playbook: playbooks.site!, check: true, connect: recordingConnect(sent) });
  const touched = (await exec(host, changedSince(marker))).stdout.trim();
  return { sent, report, touched };
}

describe("check mode writes nothing", { skip, timeout: 40 * 60_000 }, () => {
  it("blank host: nothing sent writes, no file changes, every change would be made", async () => {
    const { sent, report, touched } = await checkRun(blank.inventory, "lab1", (h, c) => labExec(h, c, { timeoutMs: 60_000 }));
    const writing = sent.map((s) => [s.kind, s.text.slice(0, 160), writesOf(s)] as const).filter(([, , w]) => w.length);
    assert.deepEqual(writing, [], "commands that write, sent in check mode");
    assert.ok(sent.some((s) => s.kind === "exec" || s.kind === "hold"), "the host was read");
    assert.equal(touched, "", "files changed on the host");
    assert.equal(report.hosts.lab1!.failed, 0, JSON.stringify(report.tasks.filter((t) => t.status === "failed")));
    assert.ok(report.hosts.lab1!.changed > 10);
  });

  it("blank host: --check --diff lists each change's commands and writes, secrets masked", async () => {
    const r = await execa("node", [BIN, "deploy", "--inventory", blank.inventory, "--playbook", "site", "--check", "--diff"], { reject: false, env: { CI: "1" } });
    assert.equal(r.exitCode, 0, r.stderr);
    const out = r.stdout;
    assert.match(out, /--- lab1: MariaDB packages\n  would run: run: .*apt-get .* install .*mariadb-server python3-pymysql/);
    assert.match(out, /--- lab1: MariaDB openstack\.cnf\n[\s\S]*?  would run: write \/etc\/mysql\/mariadb\.conf\.d\/99-openstack\.cnf \(root:root 0644, \d+ bytes\)/);
    assert.match(out, /--- lab1: admin-openrc\n[\s\S]*?export OS_PASSWORD=\*\*\*/);
    const secrets = join(labPaths({ ...process.env, GLANCE_DEPLOY_LAB_STATE: blank.state }).secrets);
    for (const name of await readdir(secrets)) {
      const value = (await readFile(join(secrets, name), "utf8")).trim();
      assert.ok(value.length > 0 && !out.includes(value) && !r.stderr.includes(value), `secret ${name} printed`);
    }
  });

  it("converged host: nothing sent writes, no file changes, nothing would change", async () => {
    converged = await convergedLab(1);
    const host = converged.state.hosts[0]!.name;
    const { sent, report, touched } = await checkRun(converged.inventory, host, (h, c) => converged!.exec(h, c));
    const writing = sent.map((s) => [s.kind, s.text.slice(0, 160), writesOf(s)] as const).filter(([, , w]) => w.length);
    assert.deepEqual(writing, [], "commands that write, sent in check mode");
    assert.equal(touched, "", "files changed on the host");
    assert.deepEqual(report.tasks.filter((t) => t.status !== "ok").map((t) => `${t.name}: ${t.status} ${t.summary ?? t.error ?? ""}`), []);
  });
});
