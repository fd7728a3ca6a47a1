// The host lock on a real host: two deploys at once never interleave (the second waits for the first and says
// for whom), a lock held elsewhere is refused after host_lock_timeout with one line and counted as a failed
// task, and a killed run leaves no stale lock.
import assert from "node:assert/strict";
import { hostname } from "node:os";
import { describe, it } from "node:test";
import { changedTasks, cli, deploy, failures, hostLockFree, parseReport, sh, skip, start, stderrLine, until, variant, useConvergedLab } from "./kit.js";

const HOST = "lab1";
const lab = useConvergedLab();

// Drift that makes a glance run change the config and restart glance-api (several seconds of work).
const drift = () => sh(lab(), HOST, "sed -i 's/^flavor = keystone$/flavor = keystone+cachemanagement/' /etc/glance/glance-api.conf");
// Plain progress lines carry HH:MM:SS.mmm stamps; task lines are the ones with a status.
const taskStamps = (stderr: string) =>
  stderr
    .split("\n")
    .map((l) => /^(\d\d:\d\d:\d\d\.\d{3}) (ok|changed|failed|skipped) /.exec(l)?.[1])
    .filter((s): s is string => s !== undefined);

describe("host lock on a lab host", { skip, timeout: 10 * 60_000 }, () => {
  it("a lock held by another process: says for whom it waits, up to host_lock_timeout, then refuses in one line (exit 2, counted)", async () => {
    await sh(lab(), HOST, "install -d -m 0700 /var/lib/glance-deploy && systemd-run --quiet --unit=gd-test-hostlock flock /var/lib/glance-deploy/lock sleep 3600");
    try {
      await until("lock held", async () => !(await hostLockFree(lab(), HOST)));
      const holder = (await sh(lab(), HOST, "systemctl show -p MainPID --value gd-test-hostlock")).trim();
      const inventory = variant(lab(), "lock-2s", { host_lock_timeout: "2" });
      const r = await deploy(inventory, "glance");
      assert.equal(r.code, 2, r.stderr);
      const by = `process ${holder} \\(flock\\) on the host, since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC`;
      // Said while waiting, without -v.
      assert.match(r.stderr, new RegExp(`lab1: another deploy holds /var/lib/glance-deploy/lock \\(${by}\\); waiting up to 2 s \\(host_lock_timeout\\)`));
      const error = r.report.hosts[HOST]!.error ?? "";
      assert.match(error, new RegExp(`^lab1: host lock: another deploy holds /var/lib/glance-deploy/lock on this host \\(${by}\\) \\(waited 2 s, host_lock_timeout\\); run again when it has finished$`));
      // Counted like a failed task, and nothing else ran.
      assert.equal(r.report.hosts[HOST]!.failed, 1);
      assert.deepEqual(r.report.tasks.map((t) => [t.name, t.status, t.error]), [["host lock", "failed", error]]);
      // Without --json, the recap says the same in one line.
      const plain = await cli(["deploy", "--inventory", inventory, "--playbook", "glance"]);
      assert.equal(plain.code, 2);
      assert.match(plain.stdout, /^lab1\s+FAILED\s+ok=0 changed=0 failed=1 .*\(lab1: host lock: another deploy holds \/var\/lib\/glance-deploy\/lock on this host \(process \d+ \(flock\)/m);
      assert.doesNotMatch(plain.stdout + plain.stderr, /\n\s+at /);
    } finally {
      await lab().exec(HOST, "systemctl stop gd-test-hostlock");
    }
    await until("lock free", () => hostLockFree(lab(), HOST));
    assert.equal((await sh(lab(), HOST, "stat -c '%a %U' /var/lib/glance-deploy /var/lib/glance-deploy/lock")).trim(), "700 root\n600 root");
  });

  it("two deploys at once: the second waits for the first, finds the host converged, no interleaving", async () => {
    await drift();
    const first = start(["deploy", "--inventory", lab().inventory, "--playbook", "glance", "--json", "-v"]);
    await stderrLine(first, /lab1: .* …$/); // the first task started: the first run holds the lock
    assert.ok(!(await hostLockFree(lab(), HOST)));
    // Not verbose: the wait is said anyway, naming the first run's process on this machine.
    const second = start(["deploy", "--inventory", lab().inventory, "--playbook", "glance", "--json"]);
    const waiting = await stderrLine(second, /another deploy holds \/var\/lib\/glance-deploy\/lock \(.*\); waiting up to 300 s/);
    assert.match(waiting, new RegExp(`\\(glance-deploy process ${first.pid} on ${hostname()} \\(user root\\), since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC\\)`), waiting);
    const [a, b] = await Promise.all([first, second]);
    const ra = { code: a.exitCode ?? -1, stdout: String(a.stdout), stderr: String(a.stderr) };
    const rb = { code: b.exitCode ?? -1, stdout: String(b.stdout), stderr: String(b.stderr) };
    const reportA = parseReport(ra);
    const reportB = parseReport(rb);
    assert.equal(ra.code, 0, failures(reportA));
    assert.equal(rb.code, 0, failures(reportB));
    assert.ok(changedTasks(reportA).includes("handler: restart glance-api"), changedTasks(reportA).join(", "));
    assert.deepEqual(changedTasks(reportB), [], "the second run saw the first one's result, not a half-applied host");
    // Every task line of the second run comes after the last one of the first.
    const lastA = taskStamps(ra.stderr).at(-1)!;
    const firstB = taskStamps(rb.stderr)[0]!;
    const waitedAt = waiting.slice(0, 12);
    assert.ok(waitedAt <= lastA, `second run waited (${waitedAt}) while the first was working (last task ${lastA})`);
    assert.ok(firstB >= lastA, `second run's first task ${firstB} before the first run's last ${lastA}`);
    assert.ok(await hostLockFree(lab(), HOST));
  });

  it("a run killed with SIGKILL leaves no stale lock; the next run converges", async () => {
    await drift();
    const p = start(["deploy", "--inventory", lab().inventory, "--playbook", "glance", "--json", "-v"]);
    await stderrLine(p, /lab1: .* …$/);
    assert.ok(!(await hostLockFree(lab(), HOST)));
    p.kill("SIGKILL");
    await p;
    await until("lock freed when the connection died", () => hostLockFree(lab(), HOST), 20_000);
    const r = await deploy(lab().inventory, "glance", ["--diff"]);
    assert.equal(r.code, 0, failures(r.report));
    assert.equal((await sh(lab(), HOST, "grep -c '^flavor = keystone$' /etc/glance/glance-api.conf")).trim(), "1");
    assert.deepEqual(changedTasks((await deploy(lab().inventory, "glance")).report), []);
  });
});
