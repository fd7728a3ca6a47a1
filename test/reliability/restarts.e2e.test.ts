// Restarts on a converged lab host: a restart that systemd reports done but whose service dies a moment later
// fails with the unit's journal (and stays owed); a restart owed from an earlier run is said at the start of a
// play of another playbook and carried out there.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { changedTasks, deploy, failures, sh, skip, useConvergedLab } from "./kit.js";

const HOST = "lab1";
const PENDING = "/var/lib/glance-deploy/pending-handlers";
const DROP_IN = "/etc/systemd/system/memcached.service.d/zz-gd-test.conf";
const lab = useConvergedLab();

const pending = async () => (await lab().exec(HOST, `cat ${PENDING}`)).stdout.trim();
// memcached as a simple unit that starts and exits a moment later: `systemctl restart` returns 0.
const breakMemcached = () =>
  sh(lab(), HOST, `mkdir -p ${DROP_IN.replace(/\/[^/]+$/, "")} && printf '%s\\n' '[Service]' 'Type=simple' 'Restart=no' 'ExecStart=' 'ExecStart=/bin/sh -c "echo memcached broken on purpose; sleep 0.3; exit 1"' > ${DROP_IN} && systemctl daemon-reload`);
const repairMemcached = () => sh(lab(), HOST, `rm -f ${DROP_IN} && systemctl daemon-reload`);
// The restart an earlier run left owed, as it leaves it.
const owe = (names: string) => sh(lab(), HOST, `install -d -m 0700 /var/lib/glance-deploy && printf '${names}\\n' > ${PENDING} && chmod 0600 ${PENDING}`);

describe("restarts on a lab host", { skip, timeout: 15 * 60_000 }, () => {
  it("an owed restart whose service dies after starting: said at the start, fails with the journal, stays owed", async () => {
    await breakMemcached();
    try {
      await owe("restart memcached");
      // Check mode says it too, and would run it.
      const check = await deploy(lab().inventory, "glance", ["--check"]);
      assert.equal(check.code, 0, failures(check.report));
      assert.match(check.stderr, /lab1: owed from an earlier run: restart memcached \(would run in this play\)/);
      assert.equal(await pending(), "restart memcached");

      const r = await deploy(lab().inventory, "glance");
      assert.equal(r.code, 2, failures(r.report));
      const said = r.stderr.split("\n").findIndex((l) => l.includes("lab1: owed from an earlier run: restart memcached (to run in this play)"));
      const firstTask = r.stderr.split("\n").findIndex((l) => /^\S+ (ok|changed|failed|skipped) /.test(l));
      assert.ok(said >= 0 && said < firstTask, `said before the first task:\n${r.stderr}`);
      const handler = r.report.tasks.find((t) => t.name === "handler: restart memcached");
      assert.equal(handler?.status, "failed", failures(r.report));
      assert.match(handler!.error ?? "", /^lab1: systemctl restart memcached returned, but memcached is (failed|inactive); journal of memcached: .*memcached broken on purpose/);
      assert.equal(await pending(), "restart memcached", "still owed");
    } finally {
      await repairMemcached();
    }
    const r = await deploy(lab().inventory, "glance");
    assert.equal(r.code, 0, failures(r.report));
    const handler = r.report.tasks.find((t) => t.name === "handler: restart memcached");
    assert.equal(handler?.status, "changed");
    assert.equal(handler?.summary, "ran restart memcached");
    assert.equal(await pending(), "");
    assert.equal((await sh(lab(), HOST, "systemctl is-active memcached")).trim(), "active");
    assert.deepEqual(changedTasks((await deploy(lab().inventory, "glance")).report), []);
  });

  it("a restart owed to a playbook's own service is carried out by another playbook", async () => {
    await owe("restart keystone");
    const before = (await sh(lab(), HOST, "systemctl show -p ActiveEnterTimestampMonotonic keystone")).trim();
    const r = await deploy(lab().inventory, "memcached");
    assert.equal(r.code, 0, failures(r.report));
    assert.deepEqual(changedTasks(r.report), ["handler: restart keystone"]);
    assert.notEqual((await sh(lab(), HOST, "systemctl show -p ActiveEnterTimestampMonotonic keystone")).trim(), before, "keystone was restarted");
    assert.equal(await pending(), "");
  });
});
