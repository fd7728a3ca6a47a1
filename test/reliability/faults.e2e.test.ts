// Faults on a converged lab host, in one sequence on one clone: each fails with one clear line naming the host
// and the step, with the right exit code, and the next run converges with no duplicates.
//   preflight: Keystone down, MariaDB unreachable where glance connects (fast, before any change);
//   glance-api fails to start after a bad override (journal in the error, restart kept pending);
//   dpkg lock held (waits apt_lock_timeout, then fails); SIGINT during apt (task finishes, pending kept,
//   lock released, report printed); SSH session killed during apt (unreachable); then convergence.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  changedTasks,
  deploy,
  failures,
  holdDpkgLock,
  hostLockFree,
  parseReport,
  sh,
  skip,
  start,
  stderrLine,
  until,
  useConvergedLab,
  variant,
} from "./kit.js";

const HOST = "lab1";
const PENDING = "/var/lib/glance-deploy/pending-handlers";
const lab = useConvergedLab();

const confHash = () => sh(lab(), HOST, "sha256sum /etc/glance/glance-api.conf");
const pending = async () => (await lab().exec(HOST, `cat ${PENDING}`)).stdout.trim();
// Only this package (apt would take keystone and glance with it): the next install has real work to do.
const removeGlanceClient = () => sh(lab(), HOST, "dpkg -r --force-depends python3-glanceclient >/dev/null 2>&1");
// The preflight's own duration, as the tool measured it.
const preflightMs = (r: { report: { tasks: { name: string; durationMs: number }[] } }) =>
  Math.max(...r.report.tasks.filter((t) => t.name.startsWith("preflight: ")).map((t) => t.durationMs));

describe("faults on a lab host", { skip, timeout: 15 * 60_000 }, () => {
  it("Keystone down: preflight fails in seconds, names the fix, changes nothing", async () => {
    const before = await confHash();
    await sh(lab(), HOST, "systemctl stop keystone");
    try {
      const r = await deploy(lab().inventory, "glance");
      assert.equal(r.code, 2, failures(r.report));
      const error = r.report.hosts[HOST]!.error ?? "";
      assert.match(error, /^preflight failed: Keystone at http:\/\/controller:5000 \(seen from lab1\): .*start keystone or run --playbook keystone$/);
      assert.ok(!error.includes("\n"));
      assert.ok(preflightMs(r) < 10_000, `preflight took ${preflightMs(r)} ms`);
      assert.deepEqual(changedTasks(r.report), []);
      assert.deepEqual(r.report.tasks.filter((t) => !t.name.startsWith("preflight: ")), [], "no task ran");
      assert.equal(await confHash(), before);
    } finally {
      await sh(lab(), HOST, "systemctl start keystone");
      await until("keystone answers", async () => (await lab().exec(HOST, `python3 -c "import urllib.request; urllib.request.urlopen('http://controller:5000/v3', timeout=3)"`)).code === 0, 120_000);
    }
  });

  it("MariaDB unreachable at the address glance will use: preflight fails fast with the fix", async () => {
    const before = await confHash();
    // MariaDB listens on the management address only; loopback is where this inventory says glance connects.
    const inventory = variant(lab(), "db-loopback", { glance_db_host: "127.0.0.1" });
    const r = await deploy(inventory, "glance");
    assert.equal(r.code, 2, failures(r.report));
    assert.match(r.report.hosts[HOST]!.error ?? "", /^preflight failed: MariaDB is not reachable at 127\.0\.0\.1:3306 from lab1 \(.*Connection refused\): MariaDB runs on lab1 but not where glance connects: make MariaDB listen on controller \(bind-address; .*\) and `127\.0\.0\.1` resolve to it$/);
    assert.ok(preflightMs(r) < 10_000, `preflight took ${preflightMs(r)} ms`);
    assert.deepEqual(changedTasks(r.report), []);
    assert.equal(await confHash(), before);
  });

  it("glance-api fails to start after a bad override: journal in the error, restart kept pending", async () => {
    const inventory = variant(lab(), "bad-override", {
      glance_api_conf_overrides: "{ DEFAULT: { bind_port: not-a-port } }",
      service_start_timeout: "8",
    });
    const r = await deploy(inventory, "glance");
    assert.equal(r.code, 2, failures(r.report));
    const handler = r.report.tasks.find((t) => t.name === "handler: restart glance-api");
    assert.equal(handler?.status, "failed", failures(r.report));
    assert.match(handler!.error ?? "", /journal of glance-api: .*bind_port/, handler!.error);
    assert.match(r.report.hosts[HOST]!.error ?? "", /^handler: restart glance-api: /);
    assert.ok(changedTasks(r.report).includes("glance-api.conf"));
    assert.equal(await pending(), "restart glance-api");
  });

  it("dpkg lock held by another process: apt waits apt_lock_timeout, then the task fails clearly", async () => {
    await removeGlanceClient();
    const release = await holdDpkgLock(lab(), HOST);
    try {
      const inventory = variant(lab(), "apt-lock", { apt_lock_timeout: "3" });
      const r = await deploy(inventory, "glance");
      assert.equal(r.code, 2, failures(r.report));
      const task = r.report.tasks.find((t) => t.name === "Glance packages")!;
      assert.equal(task.status, "failed");
      assert.match(task.error ?? "", /^lab1: apt-get install python3-glanceclient exited 100: .*(Could not get lock|Unable to acquire the dpkg frontend lock) \(?\/var\/lib\/dpkg\/lock-frontend/);
      assert.ok(task.durationMs >= 3000, `waited ${task.durationMs} ms`);
      assert.match(r.report.hosts[HOST]!.error ?? "", /^Glance packages: lab1: apt-get install python3-glanceclient exited 100/);
      assert.equal(await pending(), "restart glance-api", "the earlier restart is still owed");
    } finally {
      await release();
    }
  });

  it("SIGINT during apt: the task finishes, the run stops, report printed, pending kept, host lock free", async () => {
    const release = await holdDpkgLock(lab(), HOST);
    let released = false;
    try {
      const inventory = variant(lab(), "sigint", { apt_lock_timeout: "120" });
      const p = start(["deploy", "--inventory", inventory, "--playbook", "glance", "--json", "-v"]);
      await stderrLine(p, /lab1: Glance packages …/);
      await until("apt-get waiting on the host", async () => (await lab().exec(HOST, "pgrep -x apt-get")).code === 0);
      p.kill("SIGINT");
      await stderrLine(p, /^interrupted: finishing the current task/);
      await release();
      released = true;
      const r = await p;
      const out = { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
      assert.equal(out.code, 2, out.stderr);
      const report = parseReport(out);
      assert.match(report.hosts[HOST]!.error ?? "", /^interrupted; pending handlers are kept for the next run$/);
      assert.equal(report.tasks.find((t) => t.name === "Glance packages")?.status, "changed", "the task in flight finished");
      assert.ok(!report.tasks.some((t) => t.name === "glance-api.conf"), "nothing after it ran");
      assert.equal(await pending(), "restart glance-api");
      assert.ok(await hostLockFree(lab(), HOST), "host lock released");
      assert.equal((await lab().exec(HOST, "dpkg-query -W -f='${db:Status-Abbrev}' python3-glanceclient")).stdout.trim(), "ii");
    } finally {
      if (!released) await release();
    }
  });

  it("SSH session killed during apt: unreachable (exit 4) naming host and step; lock dies with the link", async () => {
    await removeGlanceClient();
    const release = await holdDpkgLock(lab(), HOST);
    try {
      const inventory = variant(lab(), "cut", { apt_lock_timeout: "120" });
      const p = start(["deploy", "--inventory", inventory, "--playbook", "glance", "--json"]);
      await until("apt-get waiting on the host", async () => (await lab().exec(HOST, "pgrep -x apt-get")).code === 0);
      assert.ok(!(await hostLockFree(lab(), HOST)), "the run holds the host lock");
      // The sshd process serving the tool's connection: apt-get's nearest sshd ancestor (OpenSSH 9.8+, Debian 13,
      // serves each connection from an `sshd-session` process; killing the listening `sshd` cuts nothing).
      await sh(lab(), HOST, 'p=$(pgrep -o -x apt-get); until c=$(ps -o comm= -p "$p"); [ "$c" = sshd-session ] || [ "$c" = sshd ]; do p=$(ps -o ppid= -p "$p" | tr -d " "); done; kill -9 "$p"');
      const r = await p;
      const out = { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
      assert.equal(out.code, 4, out.stderr);
      const report = parseReport(out);
      assert.equal(report.hosts[HOST]!.unreachable, true);
      const task = report.tasks.find((t) => t.name === "Glance packages")!;
      assert.equal(task.status, "failed");
      assert.match(task.error ?? "", /^lab1 \(\S+\): /);
      assert.match(report.hosts[HOST]!.error ?? "", /^Glance packages: lab1 \(\S+\): .*(connection|session)/);
      await until("host lock freed by the dropped connection", () => hostLockFree(lab(), HOST), 20_000);
      assert.equal(await pending(), "restart glance-api");
    } finally {
      await release();
    }
  });

  it("the next run converges: one restart, nothing duplicated, then no change", async () => {
    const r = await deploy(lab().inventory, "glance");
    assert.equal(r.code, 0, failures(r.report));
    const changed = changedTasks(r.report);
    assert.ok(changed.includes("glance-api.conf"), changed.join(", "));
    assert.equal(changed.filter((t) => t === "handler: restart glance-api").length, 1, changed.join(", "));
    assert.equal((await lab().exec(HOST, `test -e ${PENDING}`)).code, 1, "nothing pending");
    assert.equal((await sh(lab(), HOST, "systemctl is-active glance-api")).trim(), "active");
    const again = await deploy(lab().inventory, "glance");
    assert.equal(again.code, 0, failures(again.report));
    assert.deepEqual(changedTasks(again.report), []);
    const counts = await sh(
      lab(),
      HOST,
      `mysql -N -e "SELECT COUNT(*) FROM keystone.endpoint e JOIN keystone.service s ON e.service_id = s.id WHERE s.type = 'image'; SELECT COUNT(*) FROM keystone.service WHERE type = 'image'; SELECT COUNT(*) FROM keystone.local_user WHERE name = 'glance'; SELECT COUNT(*) FROM mysql.user WHERE user = 'glance'"`,
    );
    assert.deepEqual(counts.trim().split(/\s+/), ["3", "1", "1", "2"]);
    assert.equal((await sh(lab(), HOST, "dpkg --audit; echo ok")).trim(), "ok", "dpkg is consistent");
  });
});
