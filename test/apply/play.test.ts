import { call } from "../../src/plan/actions.js";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runPlay } from "../../src/apply/play.js";
import { selectHosts } from "../../src/apply/select.js";
import { PENDING_FILE } from "../../src/facts/state.js";
import type { Inventory, InventoryHost } from "../../src/inventory/load.js";
import { applyDefaults } from "../../src/inventory/vars.js";
import { noChange, type Playbook, type Task } from "../../src/plan/types.js";
import { file } from "../../src/tasks/file.js";
import { ScriptedHost } from "../helpers/scriptedHost.js";

const host = (name: string): InventoryHost => ({ name, groups: ["controller"], vars: applyDefaults(name, {}) });

const confTask = (content: string) =>
  file({
    name: "app.conf",
    tags: ["config"],
    notify: ["restart app"],
    render: () => ({ path: "/etc/app.conf", content, mode: 0o640, owner: "root", group: "app" }),
  });

// A task that records that it ran and can be told to fail.
function probe(name: string, tags: string[], opts: { change?: boolean; fail?: boolean; notify?: string[] } = {}): Task & { applied: number } {
  const task = {
    name,
    tags,
    applied: 0,
    ...(opts.notify ? { notify: opts.notify } : {}),
    async check() {
      if (opts.fail) throw new Error(`${name} broke`);
      if (!opts.change) return noChange;
      return { change: true as const, summary: `change ${name}`, actions: [call("apply", async () => void task.applied++)] };
    },
  };
  return task;
}

function play(tasks: Task[], handlerLog: string[] = []): Playbook {
  return {
    name: "test",
    group: "controller",
    tasks,
    handlers: [{ name: "restart app", run: async (ctx) => void handlerLog.push(ctx.host.name) }],
  };
}

async function runOn(h: ScriptedHost, playbook: Playbook, check = false) {
  return runPlay({ playbook, hosts: [host(h.host)], connect: async () => h, check });
}

describe("file task: state in, status and diff out", () => {
  const cases = [
    { title: "missing file is created", before: undefined, check: false, status: "changed", diff: /^\+new$/m, writes: 1 },
    { title: "same content and mode is ok", before: { content: "new\n", mode: 0o640, group: "app" }, check: false, status: "ok", writes: 0 },
    { title: "different content is updated with a diff", before: { content: "old\n", mode: 0o640, group: "app" }, check: false, status: "changed", diff: /^-old\n\+new$/m, writes: 1 },
    { title: "wrong mode only is fixed without a diff", before: { content: "new\n", mode: 0o644, group: "app" }, check: false, status: "changed", writes: 1 },
    { title: "wrong group only is fixed", before: { content: "new\n", mode: 0o640, group: "root" }, check: false, status: "changed", writes: 1 },
    { title: "check mode reports would-change and writes nothing", before: { content: "old\n", mode: 0o640, group: "app" }, check: true, status: "changed", diff: /^\+new$/m, writes: 0 },
    { title: "check mode on a converged file is ok", before: { content: "new\n", mode: 0o640, group: "app" }, check: true, status: "ok", writes: 0 },
  ] as const;
  for (const c of cases) {
    it(c.title, async () => {
      const h = new ScriptedHost("h1");
      if (c.before) h.files.set("/etc/app.conf", { owner: "root", ...c.before });
      const report = await runOn(h, play([confTask("new\n")]), c.check);
      const task = report.tasks.find((t) => t.name === "app.conf")!;
      assert.equal(task.status, c.status);
      if ("diff" in c) assert.match(task.diff ?? "", c.diff);
      assert.equal(h.writes.filter((w) => w.path === "/etc/app.conf").length, c.writes);
      if (c.writes) assert.deepEqual(h.files.get("/etc/app.conf"), { content: "new\n", mode: 0o640, owner: "root", group: "app" });
    });
  }

  it("gathers every fact in one exec", async () => {
    const h = new ScriptedHost("h1");
    h.files.set("/etc/app.conf", { content: "new\n", mode: 0o640, owner: "root", group: "app" });
    await runOn(h, play([confTask("new\n"), confTask("new\n")]));
    assert.equal(h.calls.length, 1, h.commands().join("\n---\n"));
  });
});

describe("handlers", () => {
  it("run once at the end when several tasks notify", async () => {
    const log: string[] = [];
    const h = new ScriptedHost("h1");
    const report = await runOn(h, play([probe("a", [], { change: true, notify: ["restart app"] }), probe("b", [], { change: true, notify: ["restart app"] })], log));
    assert.deepEqual(log, ["h1"]);
    assert.equal(report.tasks.at(-1)!.name, "handler: restart app");
    assert.equal(h.files.has(PENDING_FILE), false, "pending state is cleared after the handler ran");
  });

  it("do not run when nothing changed", async () => {
    const log: string[] = [];
    await runOn(new ScriptedHost("h1"), play([probe("a", [], { notify: ["restart app"] })], log));
    assert.deepEqual(log, []);
  });

  it("survive a later failure on the host and run on the next run", async () => {
    const log: string[] = [];
    const h = new ScriptedHost("h1");
    const first = await runOn(h, play([probe("a", [], { change: true, notify: ["restart app"] }), probe("b", [], { fail: true })], log));
    assert.deepEqual(log, []);
    assert.equal(first.hosts.h1!.failed, 1);
    assert.equal(h.files.get(PENDING_FILE)?.content, "restart app\n");
    assert.equal(h.files.get(PENDING_FILE)?.mode, 0o600);
    const second = await runOn(h, play([probe("a", []), probe("b", [])], log));
    assert.deepEqual(log, ["h1"]);
    assert.equal(second.hosts.h1!.changed, 1);
    assert.equal(h.files.has(PENDING_FILE), false);
  });

  it("are reported as would-run in check mode and not run", async () => {
    const log: string[] = [];
    const report = await runOn(new ScriptedHost("h1"), play([probe("a", [], { change: true, notify: ["restart app"] })], log), true);
    assert.deepEqual(log, []);
    assert.deepEqual(report.tasks.map((t) => [t.name, t.status]), [["a", "changed"], ["handler: restart app", "changed"]]);
  });
});

describe("check mode", () => {
  it("applies nothing and reports would-change", async () => {
    const a = probe("a", [], { change: true });
    const report = await runOn(new ScriptedHost("h1"), play([a]), true);
    assert.equal(a.applied, 0);
    assert.equal(report.check, true);
    assert.equal(report.hosts.h1!.changed, 1);
  });

  it("reports a check that fails after an earlier would-change as would-change, not failed", async () => {
    const report = await runOn(new ScriptedHost("h1"), play([probe("install", [], { change: true }), probe("configure", [], { fail: true })]), true);
    assert.deepEqual(report.tasks.map((t) => t.status), ["changed", "changed"]);
    assert.match(report.tasks[1]!.summary!, /cannot be checked before earlier changes/);
  });

  it("still fails a check that fails with nothing changed before it", async () => {
    const report = await runOn(new ScriptedHost("h1"), play([probe("configure", [], { fail: true })]), true);
    assert.equal(report.tasks[0]!.status, "failed");
  });
});

describe("selection and failure isolation", () => {
  const inventory: Inventory = {
    file: "inv.yaml",
    hosts: ["h1", "h2", "h3"].map(host),
    groups: { all: ["h1", "h2", "h3"], controller: ["h1", "h2", "h3"], edge: ["h3"] },
    warnings: [],
  };

  it("--tags keeps tagged tasks (and `always`), --skip-tags drops them", async () => {
    const tasks = [probe("a", ["db"]), probe("b", ["config"]), probe("c", ["always"]), probe("d", ["db", "slow"])];
    const names = async (selection: object) =>
      (await runPlay({ playbook: play(tasks), hosts: [host("h1")], connect: async () => new ScriptedHost("h1"), selection })).tasks.map((t) => t.name);
    assert.deepEqual(await names({ tags: ["db"] }), ["a", "c", "d"]);
    assert.deepEqual(await names({ skipTags: ["slow"] }), ["a", "b", "c"]);
    assert.deepEqual(await names({ tags: ["db"], skipTags: ["slow"] }), ["a", "c"]);
  });

  it("--limit selects hosts and groups, and rejects unknown names", () => {
    assert.deepEqual(selectHosts(inventory, "controller", ["h2"]).map((h) => h.name), ["h2"]);
    assert.deepEqual(selectHosts(inventory, "controller", ["edge", "h1"]).map((h) => h.name), ["h1", "h3"]);
    assert.throws(() => selectHosts(inventory, "controller", ["nope"]), /no such host or group/);
  });

  it("a failed host stops its own play while others continue", async () => {
    const failing = probe("first", []);
    const report = await runPlay({
      playbook: play([{ ...failing, check: async (ctx) => { if (ctx.host.name === "h2") throw new Error("boom"); return noChange; } }, probe("second", [])]),
      hosts: inventory.hosts,
      connect: async (h) => new ScriptedHost(h.name),
    });
    assert.deepEqual(report.tasks.filter((t) => t.host === "h2").map((t) => t.status), ["failed"]);
    assert.deepEqual(report.tasks.filter((t) => t.host !== "h2").map((t) => t.name), ["first", "second", "first", "second"]);
  });

  it("an unreachable host is reported and the others run", async () => {
    const { UnreachableError } = await import("../../src/errors.js");
    const report = await runPlay({
      playbook: play([probe("a", [])]),
      hosts: inventory.hosts,
      connect: async (h) => {
        if (h.name === "h1") throw new UnreachableError("h1", "10.0.0.1:22", "connection refused");
        return new ScriptedHost(h.name);
      },
    });
    assert.equal(report.hosts.h1!.unreachable, true);
    assert.match(report.hosts.h1!.error!, /h1 \(10\.0\.0\.1:22\): connection refused/);
    assert.equal(report.hosts.h2!.ok, 1);
  });

  for (const concurrency of [1, 2, 5]) {
    it(`runs at most ${concurrency} hosts at once`, async () => {
      let running = 0;
      let peak = 0;
      const slow: Task = {
        name: "slow",
        tags: [],
        async check() {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 20));
          running--;
          return noChange;
        },
      };
      const hosts = ["a", "b", "c", "d", "e", "f"].map(host);
      await runPlay({ playbook: play([slow]), hosts, connect: async (h) => new ScriptedHost(h.name), concurrency });
      assert.equal(peak, concurrency);
    });
  }

  it("an abort stops before the next task and keeps pending handlers", async () => {
    const controller = new AbortController();
    const h = new ScriptedHost("h1");
    const first: Task = { name: "first", tags: [], notify: ["restart app"], check: async () => ({ change: true, summary: "x", actions: [call("apply", async () => controller.abort())] }) };
    const report = await runPlay({ playbook: play([first, probe("second", [])]), hosts: [host("h1")], connect: async () => h, signal: controller.signal });
    assert.deepEqual(report.tasks.map((t) => t.name), ["first"]);
    assert.match(report.hosts.h1!.error!, /interrupted/);
    assert.equal(h.files.get(PENDING_FILE)?.content, "restart app\n");
    assert.equal(h.closed, true);
  });
});
