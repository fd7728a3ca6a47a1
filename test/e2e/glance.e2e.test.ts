// Glance for real on a lab host: blank host → site deploy → verify; second run changes nothing; check mode
// touches nothing; drift is healed with one restart; changed passwords are rolled out; a sudoer works the same.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { execa } from "execa";
import { labExec } from "../../src/lab/index.js";
import type { PlayReport } from "../../src/report/types.js";
import { useTempLab } from "../helpers/tempLab.js";

const notRoot = process.getuid?.() !== 0;
const skip = notRoot ? "e2e tests need root (they build lab hosts)" : false;
const BIN = new URL("../../dist/src/cli/bin.js", import.meta.url).pathname;
const HOST = "lab1";

// Debian 12 explicitly (the lab's default is 13, covered by trixie.e2e.test.ts), so both releases stay tested.
const lab = useTempLab("glance-deploy-e2e-", { hosts: 1, release: "bookworm", log: () => undefined });

// The CLI as operators run it: a separate process, compiled JS.
async function cli(args: string[], env: Record<string, string> = {}) {
  const r = await execa("node", [BIN, ...args], { reject: false, env: { CI: "1", ...env }, timeout: 15 * 60_000 });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

async function deploy(playbook: string, extra: string[] = [], inventory = lab.inventory): Promise<{ code: number; report: PlayReport; stderr: string }> {
  const r = await cli(["deploy", "--inventory", inventory, "--playbook", playbook, "--json", ...extra]);
  let report: PlayReport;
  try {
    report = JSON.parse(r.stdout) as PlayReport;
  } catch {
    assert.fail(`deploy ${playbook} printed no JSON report (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, report, stderr: r.stderr };
}

async function sh(command: string): Promise<string> {
  const r = await labExec(HOST, command, { timeoutMs: 120_000 });
  assert.equal(r.code, 0, `${command} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

// The admin's own CLI on the controller, only in tests, to look at Keystone independently of the tool.
const openstack = (args: string) => sh(`. /root/admin-openrc && openstack ${args}`);
const imageEndpoints = async () => JSON.parse(await openstack("endpoint list --service image -f json")) as Array<{ Interface: string; URL: string }>;

function failures(report: PlayReport): string {
  return report.tasks.filter((t) => t.status === "failed").map((t) => `${t.name}: ${t.error}`).join("\n") + JSON.stringify(report.hosts);
}

const changedTasks = (report: PlayReport) => report.tasks.filter((t) => t.status === "changed").map((t) => t.name);

describe("glance on a lab host", { skip, timeout: 30 * 60_000 }, () => {
  it("check mode on a blank host reports would-change without error", async () => {
    const { code, report } = await deploy("site", ["--check"]);
    assert.equal(code, 0, failures(report));
    assert.equal(report.check, true);
    assert.equal(report.hosts[HOST]!.failed, 0, failures(report));
    assert.ok(report.hosts[HOST]!.changed > 10, `expected most tasks to be would-change, got ${changedTasks(report).join(", ")}`);
    const pkgs = await labExec(HOST, "dpkg-query -W glance mariadb-server");
    assert.notEqual(pkgs.code, 0, "check mode installed nothing");
  });

  it("blank host: site deploy succeeds and verify uploads an active image with a matching checksum", async () => {
    const { code, report } = await deploy("site");
    assert.equal(code, 0, failures(report));
    // Packages start nothing while apt runs, so no service is restarted while still starting: no failed unit
    // and no forced kill anywhere in the journal after a first deploy.
    assert.equal((await sh("systemctl --failed --no-legend --plain")).trim(), "", "failed units");
    assert.equal((await sh("journalctl --no-pager -o cat | grep -c 'timed out. Killing' || true")).trim(), "0", "forced kills");
    // Our glance-api.conf (multi-store form) draws no deprecation or staging-directory warning.
    const log = await sh("grep -iE 'deprecat|staging directory' /var/log/glance/glance-api.log || true");
    assert.doesNotMatch(log, /stores|default_store|staging directory/i, log);
    const v = await cli(["verify", "--inventory", lab.inventory, "--json"]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    const verify = JSON.parse(v.stdout) as PlayReport;
    assert.deepEqual(verify.tasks.map((t) => [t.name, t.status]), [["Verify Glance", "ok"]]);
    // The verification image was deleted afterwards.
    assert.equal((JSON.parse(await openstack("image list -f json")) as unknown[]).length, 0);
  });

  it("second deploy changes nothing, and render writes byte-identical files", async () => {
    const { code, report } = await deploy("site");
    assert.equal(code, 0, failures(report));
    assert.deepEqual(changedTasks(report), []);
    const out = join(lab.dir, "rendered");
    const r = await cli(["render", "--inventory", lab.inventory, "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    for (const path of ["/etc/glance/glance-api.conf", "/etc/mysql/mariadb.conf.d/99-openstack.cnf", "/root/admin-openrc"]) {
      const local = createHash("sha256").update(await readFile(join(out, HOST, path))).digest("hex");
      const remote = (await sh(`sha256sum ${path}`)).split(" ")[0];
      assert.equal(local, remote, `${path} differs between render and deploy`);
    }
    assert.equal((await sh("stat -c '%a %U %G' /etc/glance/glance-api.conf")).trim(), "640 root glance");
  });

  it("--check on a converged host: 0 changes and nothing modified", async () => {
    const snapshot = () =>
      sh(
        "stat -c '%n %Y %a' /etc/glance/glance-api.conf /etc/keystone/keystone.conf /etc/memcached.conf /etc/mysql/mariadb.conf.d/99-openstack.cnf; " +
          "mysql -N -e 'CHECKSUM TABLE mysql.global_priv, mysql.db, glance.alembic_version, keystone.endpoint, keystone.user, keystone.project'; " +
          "systemctl show -p ActiveEnterTimestamp glance-api keystone mariadb memcached",
      );
    const before = await snapshot();
    const { code, report } = await deploy("site", ["--check", "--diff"]);
    assert.equal(code, 0, failures(report));
    assert.deepEqual(changedTasks(report), []);
    assert.equal(await snapshot(), before);
  });

  it("drift all at once is healed by one deploy with exactly one restart", async () => {
    const publicId = (await imageEndpoints()).length;
    assert.equal(publicId, 3);
    await sh("sed -i 's/^flavor = keystone/flavor = keystone+cachemanagement/' /etc/glance/glance-api.conf");
    await openstack("endpoint delete $(. /root/admin-openrc && openstack endpoint list --service image --interface public -f value -c ID)");
    await sh(`mysql -e "REVOKE ALL PRIVILEGES ON glance.* FROM 'glance'@'%'"`);
    await sh("systemctl stop glance-api");
    const { code, report } = await deploy("glance", ["--diff"]);
    assert.equal(code, 0, failures(report));
    const changed = changedTasks(report);
    for (const t of ["glance-api.conf", "Endpoint image public", "Glance database user @%", "handler: restart glance-api"]) {
      assert.ok(changed.includes(t), `${t} should have changed; changed: ${changed.join(", ")}`);
    }
    assert.equal(report.tasks.filter((t) => t.name === "handler: restart glance-api").length, 1);
    assert.ok(!changed.includes("glance-api running"), "the stopped service is started by the one restart, not twice");
    const endpoints = await imageEndpoints();
    assert.equal(endpoints.length, 3);
    assert.deepEqual(endpoints.map((e) => e.Interface).sort(), ["admin", "internal", "public"]);
    assert.equal((await sh("systemctl is-active glance-api")).trim(), "active");
    assert.match(await sh(`mysql -N -e "SHOW GRANTS FOR 'glance'@'%'"`), /GRANT ALL PRIVILEGES ON `glance`\.\*/);
    assert.deepEqual(changedTasks((await deploy("glance")).report), []);
  });

  it("passwords changed in the inventory are rolled out and verify passes", async () => {
    const secrets = join(lab.dir, "secrets");
    const inventory = join(lab.dir, "new-passwords.yaml");
    await execa("mkdir", ["-p", "-m", "0700", secrets]);
    const fresh = { glance_db_password: `gl'db"$x;#%@/:\\& {{ }} ü-${Date.now()}`, glance_keystone_password: `ks\`pw$(x) é {{x}} %41 ${Date.now()}`, keystone_admin_password: `adm in'"#;$HOME ñ ${Date.now()}` };
    for (const [name, value] of Object.entries(fresh)) await writeFile(join(secrets, name), value, { mode: 0o600 });
    // Changing the admin's password is asked for explicitly (without the flag the preflight refuses).
    const allowReset = (text: string) => text.replace("  vars:\n", "  vars:\n    keystone_admin_password_reset: true\n");
    const text = (await readFile(lab.inventory, "utf8")).replace(/(\w+_password): \{ file: [^}]+\}/g, (line, name: string) =>
      name in fresh ? `${name}: { file: ${join(secrets, name)} }` : line,
    );
    await writeFile(inventory, allowReset(text));
    const { code, report } = await deploy("site", [], inventory);
    assert.equal(code, 0, failures(report));
    const changed = changedTasks(report);
    for (const t of ["Glance database user @localhost", "Glance database user @%", "Keystone user glance", "glance-api.conf", "Keystone bootstrap (admin user, region, identity endpoints)"]) {
      assert.ok(changed.includes(t), `${t} should have changed; changed: ${changed.join(", ")}`);
    }
    const v = await cli(["verify", "--inventory", inventory, "--json"]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.deepEqual(changedTasks((await deploy("site", [], inventory)).report), []);
    for (const value of Object.values(fresh)) assert.ok(!JSON.stringify(report).includes(value), "no password in the report");
    // Back to the lab's own passwords for the tests that follow (the admin's again by request).
    const back = join(lab.dir, "lab-passwords-reset.yaml");
    await writeFile(back, allowReset(await readFile(lab.inventory, "utf8")));
    assert.equal((await deploy("site", [], back)).code, 0);
  });

  it("deployer with sudo (ansible_become) works the same", async () => {
    const inventory = join(lab.dir, "deployer.yaml");
    const text = (await readFile(lab.inventory, "utf8")).replace("ansible_user: root", "ansible_user: deployer\n    ansible_become: true");
    await writeFile(inventory, text);
    await sh("sed -i 's/^workers = .*//; s/^flavor = keystone$/flavor = keystone+x/' /etc/glance/glance-api.conf");
    const { code, report } = await deploy("glance", [], inventory);
    assert.equal(code, 0, failures(report));
    assert.ok(changedTasks(report).includes("glance-api.conf"));
    assert.equal((await sh("stat -c '%a %U %G' /etc/glance/glance-api.conf")).trim(), "640 root glance");
    const again = await deploy("glance", [], inventory);
    assert.deepEqual(changedTasks(again.report), []);
    const v = await cli(["verify", "--inventory", inventory]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
  });
});
