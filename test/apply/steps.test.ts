// Plays across hosts as data: hosts and steps in, where each task ran, statuses and each host's one line out.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runPlay } from "../../src/apply/play.js";
import { UnreachableError } from "../../src/errors.js";
import type { InventoryHost } from "../../src/inventory/load.js";
import { applyDefaults } from "../../src/inventory/vars.js";
import { call } from "../../src/plan/actions.js";
import { noChange, type Step, type Task } from "../../src/plan/types.js";
import { playExitCode } from "../../src/report/recap.js";
import { ScriptedHost } from "../helpers/scriptedHost.js";

const HOSTS = ["h1", "h2", "h3"];
const host = (name: string, vars: Record<string, unknown> = {}): InventoryHost => ({
  name,
  groups: ["controller"],
  vars: applyDefaults(name, { ansible_host: `192.0.2.${HOSTS.indexOf(name) + 1}`, ...vars }),
});

interface Spec {
  // Change on these hosts (default: no change), fail on these, lose the connection on these.
  change?: string[];
  fail?: string[];
  lost?: string[];
  once?: boolean | string;
  ms?: number;
}

// A task that logs `host:name` when its check runs, then behaves as the spec says for that host.
function task(log: string[], name: string, spec: Spec = {}): Task {
  const t: Task = {
    name,
    tags: ["t"],
    async check(ctx) {
      const h = ctx.host.name;
      log.push(`${h}:${name}`);
      if (spec.ms) await new Promise((r) => setTimeout(r, spec.ms));
      if (spec.lost?.includes(h)) throw new UnreachableError(h, h, `connection lost in ${name}`);
      if (spec.fail?.includes(h)) throw new Error(`${name} broke`);
      if (!spec.change?.includes(h)) return noChange;
      return { change: true as const, summary: name, actions: [call(`make ${name}`, async () => undefined)] };
    },
  };
  if (spec.once) t.once = typeof spec.once === "string" ? { host: () => spec.once as string } : {};
  return t;
}

interface Case {
  title: string;
  steps: (log: string[]) => Step[];
  unreachable?: string[];
  check?: boolean;
  // Checks run, step by step (steps are barriers; within a step hosts run side by side, so each step's entries
  // are compared as a set; a step no host reached has no entry).
  ran: string[][];
  statuses?: Record<string, string>;
  errors?: Record<string, RegExp>;
  exit: number;
}

const cases: Case[] = [
  {
    title: "once: runs on the first host only; per-host tasks on all",
    steps: (l) => [{ name: "s1", tasks: [task(l, "db", { once: true, change: ["h1"] }), task(l, "pkg")] }],
    ran: [["h1:db", "h1:pkg", "h2:pkg", "h3:pkg"]],
    statuses: { "h1:db": "changed", "h1:pkg": "ok", "h2:pkg": "ok" },
    exit: 0,
  },
  {
    title: "once on a named host (database_host)",
    steps: (l) => [{ name: "s1", tasks: [task(l, "db", { once: "h2" })] }],
    ran: [["h2:db"]],
    exit: 0,
  },
  {
    title: "barrier: every host finishes step 1 before any starts step 2, even a slow one",
    steps: (l) => [
      { name: "s1", tasks: [task(l, "slow", { ms: 30 })] },
      { name: "s2", tasks: [task(l, "next")] },
    ],
    ran: [["h1:slow", "h2:slow", "h3:slow"], ["h1:next", "h2:next", "h3:next"]],
    exit: 0,
  },
  {
    title: "the once host fails: the whole group stops with one line naming the task and host",
    steps: (l) => [
      { name: "s1", tasks: [task(l, "db", { once: true, fail: ["h1"] }), task(l, "pkg")] },
      { name: "s2", tasks: [task(l, "conf")] },
    ],
    ran: [["h1:db", "h2:pkg", "h3:pkg"]],
    errors: { h1: /^db: db broke$/, h2: /^db \(run once, on h1\) failed: db: db broke$/, h3: /run once, on h1/ },
    exit: 2,
  },
  {
    title: "a host unreachable from the start: once tasks go to the first reachable host",
    unreachable: ["h1"],
    steps: (l) => [{ name: "s1", tasks: [task(l, "keystone", { once: true })] }],
    ran: [["h2:keystone"]],
    errors: { h1: /connection refused/ },
    exit: 4,
  },
  {
    title: "a named once host that is unreachable: every host stops, nothing runs",
    unreachable: ["h2"],
    steps: (l) => [{ name: "s1", tasks: [task(l, "db", { once: "h2" }), task(l, "pkg")] }],
    ran: [],
    errors: { h1: /^db: its host h2 is not in this run, unreachable or failed$/, h3: /its host h2/ },
    exit: 2,
  },
  {
    title: "a host lost between steps drops out of later steps; the others go on",
    steps: (l) => [
      { name: "s1", tasks: [task(l, "pkg", { lost: ["h2"] })] },
      { name: "s2", tasks: [task(l, "conf")] },
    ],
    ran: [["h1:pkg", "h2:pkg", "h3:pkg"], ["h1:conf", "h3:conf"]],
    errors: { h2: /connection lost in pkg/ },
    exit: 4,
  },
  {
    title: "serial 1: a failing host stops the roll; later hosts never start the step",
    steps: (l) => [{ name: "restart", serial: 1, tasks: [task(l, "restart", { fail: ["h2"] })] }],
    ran: [["h1:restart", "h2:restart"]],
    statuses: { "h1:restart": "ok", "h2:restart": "failed" },
    errors: { h3: /^restart: roll stopped after h2 failed$/ },
    exit: 2,
  },
  {
    title: "serial 2: hosts go through two at a time",
    steps: (l) => [{ name: "roll", serial: 2, tasks: [task(l, "restart", { ms: 10 })] }],
    ran: [["h1:restart", "h2:restart", "h3:restart"]],
    exit: 0,
  },
  {
    title: "check mode across steps: a once would-change makes later failing checks on every host would-change",
    check: true,
    steps: (l) => [
      { name: "s1", tasks: [task(l, "db", { once: true, change: ["h1"] })] },
      { name: "s2", tasks: [task(l, "schema", { fail: HOSTS })] },
    ],
    ran: [["h1:db"], ["h1:schema", "h2:schema", "h3:schema"]],
    statuses: { "h1:db": "changed", "h1:schema": "changed", "h2:schema": "changed", "h3:schema": "changed" },
    exit: 0,
  },
];

describe("plays across hosts: once, serial, barriers", () => {
  for (const c of cases) {
    it(c.title, async () => {
      const log: string[] = [];
      const steps = c.steps(log);
      // Mark where each step's checks begin in the log, to compare step by step.
      const marks: number[] = [];
      const marked = steps.flatMap((s, i) => [{ ...s, tasks: [mark(marks, log, i), ...s.tasks] }]);
      const report = await runPlay({
        playbook: { name: "p", group: "controller", steps: marked },
        hosts: HOSTS.map((h) => host(h)),
        check: c.check ?? false,
        connect: async (h) => {
          if (c.unreachable?.includes(h.name)) throw new UnreachableError(h.name, h.vars.ansible_host, "connection refused");
          return new ScriptedHost(h.name);
        },
      });
      const byStep = groupRuns(log, marks);
      assert.deepEqual(byStep, c.ran.map((r) => [...r].sort()), JSON.stringify(log));
      for (const [key, status] of Object.entries(c.statuses ?? {})) {
        const [h, name] = key.split(":");
        assert.equal(report.tasks.find((t) => t.host === h && t.name === name)?.status, status, key);
      }
      for (const [h, error] of Object.entries(c.errors ?? {})) assert.match(report.hosts[h]?.error ?? "", error, h);
      assert.equal(playExitCode(report), c.exit);
    });
  }

  it("serial batches run in order: no host of a later batch starts before the earlier batch ends", async () => {
    const log: string[] = [];
    await runPlay({
      playbook: { name: "p", group: "controller", steps: [{ name: "roll", serial: 1, tasks: [task(log, "restart", { ms: 5 })] }] },
      hosts: HOSTS.map((h) => host(h)),
      connect: async (h) => new ScriptedHost(h.name),
    });
    assert.deepEqual(log, ["h1:restart", "h2:restart", "h3:restart"]);
  });

  it("tasks see their peers: names, addresses and variables of every host of the group", async () => {
    const seen: string[] = [];
    const peers: Task = {
      name: "peers",
      tags: [],
      async check(ctx) {
        seen.push(`${ctx.host.name}:${ctx.group.name}:${ctx.group.hosts.map((h) => `${h.name}@${h.vars.ansible_host}`).join(",")}`);
        return noChange;
      },
    };
    await runPlay({ playbook: { name: "p", group: "controller", tasks: [peers] }, hosts: HOSTS.map((h) => host(h)), connect: async (h) => new ScriptedHost(h.name) });
    const all = "h1@192.0.2.1,h2@192.0.2.2,h3@192.0.2.3";
    assert.deepEqual(seen.sort(), [`h1:controller:${all}`, `h2:controller:${all}`, `h3:controller:${all}`]);
  });

  it("a once task's change is visible to every host's later steps", async () => {
    const changedSeen: string[] = [];
    const look: Task = { name: "look", tags: [], check: async (ctx) => (changedSeen.push(`${ctx.host.name}:${ctx.changed.join(",")}`), noChange) };
    await runPlay({
      playbook: { name: "p", group: "controller", steps: [{ name: "s1", tasks: [task([], "db", { once: true, change: ["h1"] })] }, { name: "s2", tasks: [look] }] },
      hosts: HOSTS.map((h) => host(h)),
      connect: async (h) => new ScriptedHost(h.name),
    });
    assert.deepEqual(changedSeen.sort(), ["h1:db", "h2:db", "h3:db"]);
  });
});

// A pseudo-task at the head of each step that notes where the step's checks begin in the log.
function mark(marks: number[], log: string[], step: number): Task {
  return { name: `@${step}`, tags: ["always"], check: async () => ((marks[step] ??= log.length), noChange) };

}

// The log cut at the step marks: each step's entries, as a set where hosts run side by side.
function groupRuns(log: string[], marks: number[]): string[][] {
  return marks.map((start, i) => log.slice(start, marks[i + 1] ?? log.length).sort());
}
