// The host lock on a scripted host: taken after connect and before any fact is read, held for the whole play,
// released on success, failure and interrupt; a busy lock is waited for, then refused with one clear line.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hostLockScript, LOCK_FILE } from "../../src/apply/hostLock.js";
import { runPlay } from "../../src/apply/play.js";
import type { InventoryHost } from "../../src/inventory/load.js";
import { applyDefaults } from "../../src/inventory/vars.js";
import { noChange, type Playbook, type Task } from "../../src/plan/types.js";
import { playExitCode } from "../../src/report/recap.js";
import { ScriptedHost } from "../helpers/scriptedHost.js";

const host = (name: string, vars: Record<string, unknown> = {}): InventoryHost => ({ name, groups: ["controller"], vars: applyDefaults(name, vars) });

function task(name: string, run: () => void | Promise<void> = () => undefined, fail = false): Task {
  return {
    name,
    tags: [],
    async check() {
      await run();
      if (fail) throw new Error(`${name} broke`);
      return noChange;
    },
  };
}

const play = (tasks: Task[]): Playbook => ({ name: "test", group: "controller", tasks });

describe("host lock", () => {
  it("the script keeps the lock on a root-only file and holds it until stdin ends", () => {
    const s = hostLockScript(42);
    assert.match(s, /umask 077/);
    assert.match(s, /chmod 0700 \/var\/lib\/glance-deploy/);
    assert.ok(s.includes(`exec 9>>${LOCK_FILE}`));
    assert.match(s, /chmod 0600 \/var\/lib\/glance-deploy\/lock/);
    assert.match(s, /flock -w 42 9/);
    assert.match(s, /exec cat >\/dev\/null$/);
  });

  it("is taken before the first fact is read and released after the play", async () => {
    const h = new ScriptedHost("h1");
    let heldDuringTask = false;
    const report = await runPlay({
      playbook: play([task("t1", () => void (heldDuringTask = h.holds.length === 1 && !h.holds[0]!.released))]),
      hosts: [host("h1")],
      connect: async () => h,
    });
    assert.equal(playExitCode(report), 0);
    assert.equal(h.holds.length, 1);
    assert.ok(heldDuringTask, "lock held while tasks run");
    assert.ok(h.holds[0]!.released, "lock released at the end");
    assert.ok(h.closed);
  });

  it("is released when a task fails", async () => {
    const h = new ScriptedHost("h1");
    const report = await runPlay({ playbook: play([task("t1", undefined, true)]), hosts: [host("h1")], connect: async () => h });
    assert.equal(playExitCode(report), 2);
    assert.ok(h.holds[0]!.released);
  });

  it("is released on interrupt, and the remaining tasks do not run", async () => {
    const h = new ScriptedHost("h1");
    const abort = new AbortController();
    let second = false;
    const report = await runPlay({
      playbook: play([task("t1", () => abort.abort()), task("t2", () => void (second = true))]),
      hosts: [host("h1")],
      connect: async () => h,
      signal: abort.signal,
    });
    assert.equal(second, false);
    assert.match(report.hosts.h1!.error ?? "", /interrupted/);
    assert.ok(h.holds[0]!.released);
  });

  it("waits while another run holds it, then proceeds", async () => {
    const h = new ScriptedHost("h1");
    const logs: string[] = [];
    let ranAt = 0;
    let freedAt = 0;
    h.holdWith = (_s, io) => {
      io.print(`busy\t4242\tcat\t1796000000\tglance-deploy pid=777 machine=ops1 user=alice remote=4242 since=1796000100`);
      setTimeout(() => {
        freedAt = Date.now();
        io.locked();
      }, 50);
    };
    // Not verbose: the wait is a notice, seen whatever the verbosity.
    const report = await runPlay({
      playbook: play([task("t1", () => void (ranAt = Date.now()))]),
      hosts: [host("h1")],
      connect: async () => h,
      events: { notice: (_h, m) => logs.push(m) },
    });
    assert.equal(playExitCode(report), 0);
    assert.ok(freedAt > 0 && ranAt >= freedAt, "the task ran only after the lock came free");
    assert.deepEqual(logs, [
      "another deploy holds /var/lib/glance-deploy/lock (glance-deploy process 777 on ops1 (user alice), since 2026-11-30 00:55:00 UTC); waiting up to 300 s (host_lock_timeout)",
    ]);
  });

  it("refuses with one line naming the host when the wait times out; no fact is read, no task runs", async () => {
    const h = new ScriptedHost("h1");
    h.holdWith = (script, io) => {
      assert.match(script, /flock -w 7 9/);
      io.print("busy");
      io.print("timeout");
      io.exit(1);
    };
    let ran = false;
    const report = await runPlay({
      playbook: play([task("t1", () => void (ran = true))]),
      hosts: [host("h1", { host_lock_timeout: 7 })],
      connect: async () => h,
    });
    assert.equal(ran, false);
    assert.equal(h.calls.length, 0, h.commands().join("\n"));
    assert.equal(playExitCode(report), 2);
    const error = report.hosts.h1!.error ?? "";
    assert.match(error, /^h1: host lock: another deploy holds \/var\/lib\/glance-deploy\/lock on this host \(waited 7 s/);
    assert.ok(!error.includes("\n"));
    assert.ok(h.closed);
    // Counted like a failed task: in the host's tally and as the report's one task.
    assert.equal(report.hosts.h1!.failed, 1);
    assert.deepEqual(report.tasks.map((t) => [t.name, t.status, t.error]), [["host lock", "failed", error]]);
  });

  it("interrupt while waiting stops the wait", async () => {
    const h = new ScriptedHost("h1");
    const abort = new AbortController();
    h.holdWith = (_s, io) => {
      io.print("busy");
      setTimeout(() => abort.abort(), 20);
    };
    const report = await runPlay({ playbook: play([task("t1")]), hosts: [host("h1")], connect: async () => h, signal: abort.signal });
    assert.match(report.hosts.h1!.error ?? "", /interrupted while waiting/);
    assert.ok(h.holds[0]!.released);
  });

  // The lock is the play's first privileged command: what its failure says, per SSH user and ansible_become.
  const failures: { title: string; vars?: Record<string, unknown>; stderr: string; error: RegExp }[] = [
    { title: "a read-only file system: the command's own error", stderr: "sh: 1: cannot create /var/lib/glance-deploy/lock: Read-only file system", error: /^h1: taking the host lock .* exited 1: .*Read-only file system$/ },
    { title: "the state directory is a file", stderr: "/var/lib/glance-deploy exists and is not a directory", error: /^h1: taking the host lock .* exited 1: \/var\/lib\/glance-deploy exists and is not a directory$/ },
    { title: "sudo asks for a password", vars: { ansible_user: "deployer", ansible_become: true }, stderr: "sudo: a password is required", error: /^h1: user deployer needs passwordless sudo: `sudo -n` asked for a password; give deployer passwordless sudo \(NOPASSWD\) or connect as root \(ansible_user: root\)$/ },
    { title: "not a sudoer", vars: { ansible_user: "deployer", ansible_become: true }, stderr: "deployer is not in the sudoers file.  This incident will be reported.", error: /^h1: user deployer may not use sudo on this host; give deployer passwordless sudo/ },
    { title: "sudo not installed", vars: { ansible_user: "deployer", ansible_become: true }, stderr: "sh: 1: sudo: not found", error: /^h1: sudo is not installed on this host: install it and give deployer passwordless sudo/ },
    { title: "not root and no become", vars: { ansible_user: "deployer" }, stderr: "glance-deploy: running as deployer, not root", error: /^h1: user deployer is not root and ansible_become is not set: set ansible_become: true \(deployer needs passwordless sudo\) or connect as root$/ },
    { title: "not root, the user from the ssh config", stderr: "glance-deploy: running as ops, not root", error: /^h1: user ops is not root and ansible_become is not set: set ansible_become: true \(ops needs passwordless sudo\)/ },
    { title: "sudo asks for a password, the user from the ssh config", vars: { ansible_become: true }, stderr: "sudo: a password is required", error: /^h1: the SSH user needs passwordless sudo: `sudo -n` asked for a password; give it passwordless sudo/ },
    { title: "root denied something: not a privilege problem of the user", stderr: "mkdir: cannot create directory '/var/lib/glance-deploy': Permission denied", error: /^h1: taking the host lock .* exited 1: mkdir: .*Permission denied$/ },
  ];
  for (const c of failures) {
    it(`a lock that fails: ${c.title}; counted as the failed task "host lock"`, async () => {
      const h = new ScriptedHost("h1");
      h.holdWith = (_s, io) => io.exit(1, c.stderr);
      const report = await runPlay({ playbook: play([task("t1")]), hosts: [host("h1", c.vars)], connect: async () => h });
      assert.equal(playExitCode(report), 2);
      assert.match(report.hosts.h1!.error ?? "", c.error);
      assert.equal(report.hosts.h1!.failed, 1);
      assert.deepEqual(report.tasks.map((t) => [t.name, t.status]), [["host lock", "failed"]]);
      assert.equal(report.tasks[0]!.error, report.hosts.h1!.error);
    });
  }

  it("writes its holder's line once it holds the lock; check mode's read-only lock writes nothing", () => {
    const writes = hostLockScript(5).split("\n");
    const taken = writes.findIndex((l) => l.startsWith("flock -w 5 9"));
    const record = writes.findIndex((l) => l.includes("> /var/lib/glance-deploy/lock"));
    assert.ok(taken > 0 && record > taken, "the line is written after the lock is held");
    assert.match(writes[record]!, /glance-deploy pid=\d+ machine=\S+ user=\S+ remote=/);
    const readOnly = hostLockScript(5, undefined, true);
    assert.doesNotMatch(readOnly, />>?\s*\/var\/lib|mkdir|chmod|umask/);
    for (const script of [writes.join("\n"), readOnly]) assert.match(script.split("\n")[0]!, /^\[ "\$\(id -u\)" = 0 \] \|\| /, "root is checked first");
    assert.match(readOnly, /\/proc\/locks/, "a check run that waits still says for whom");
  });
});
