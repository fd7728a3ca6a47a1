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
      io.print("busy");
      setTimeout(() => {
        freedAt = Date.now();
        io.locked();
      }, 50);
    };
    const report = await runPlay({
      playbook: play([task("t1", () => void (ranAt = Date.now()))]),
      hosts: [host("h1")],
      connect: async () => h,
      events: { log: (_h, m) => logs.push(m) },
    });
    assert.equal(playExitCode(report), 0);
    assert.ok(freedAt > 0 && ranAt >= freedAt, "the task ran only after the lock came free");
    assert.ok(logs.some((l) => l.includes("another deploy holds")), logs.join("\n"));
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

  it("a lock script that fails is reported with its stderr", async () => {
    const h = new ScriptedHost("h1");
    h.holdWith = (_s, io) => io.exit(2, "sh: 1: cannot create /var/lib/glance-deploy/lock: Read-only file system");
    const report = await runPlay({ playbook: play([task("t1")]), hosts: [host("h1")], connect: async () => h });
    assert.equal(playExitCode(report), 2);
    assert.match(report.hosts.h1!.error ?? "", /h1: taking the host lock .* exited 2: .*Read-only file system/);
  });
});
