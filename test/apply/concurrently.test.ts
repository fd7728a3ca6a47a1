import { call } from "../../src/plan/actions.js";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runPlay } from "../../src/apply/play.js";
import type { InventoryHost } from "../../src/inventory/load.js";
import { applyDefaults } from "../../src/inventory/vars.js";
import { concurrently, noChange, type Task } from "../../src/plan/types.js";
import { UnreachableError } from "../../src/errors.js";
import { playExitCode } from "../../src/report/recap.js";
import { ScriptedHost } from "../helpers/scriptedHost.js";

const host = (name: string): InventoryHost => ({ name, groups: ["controller"], vars: applyDefaults(name, {}) });

// A task that logs when its check starts and ends, takes `ms`, and may change, fail or lose the host.
function step(log: string[], name: string, ms: number, outcome: "ok" | "change" | "fail" | "lost" = "ok"): Task {
  return {
    name,
    tags: ["t"],
    async check() {
      log.push(`${name}>`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`<${name}`);
      if (outcome === "fail") throw new Error(`${name} broke`);
      if (outcome === "lost") throw new UnreachableError("h1", "h1:22", `connection lost in ${name}`);
      if (outcome === "ok") return noChange;
      return { change: true as const, summary: name, actions: [call("apply", async () => undefined)] };
    },
  };
}

async function run(build: (log: string[]) => Task[]) {
  const log: string[] = [];
  const h = new ScriptedHost("h1");
  const report = await runPlay({ playbook: { name: "p", group: "controller", tasks: build(log) }, hosts: [host("h1")], connect: async () => h });
  return { log, report, h };
}

describe("concurrently: lanes of independent tasks", () => {
  const cases: {
    title: string;
    tasks: (log: string[]) => Task[];
    // Expected order of check starts (">") and ends ("<").
    log: string[];
    exit: number;
    statuses: Record<string, string>;
  }[] = [
    {
      title: "lanes start together; each lane keeps its order; the play goes on after the slowest lane",
      tasks: (l) => [step(l, "a", 5), ...concurrently("g", [step(l, "slow", 60, "change")], [step(l, "x", 5), step(l, "y", 5)]), step(l, "z", 1)],
      log: ["a>", "<a", "slow>", "x>", "<x", "y>", "<y", "<slow", "z>", "<z"],
      exit: 0,
      statuses: { a: "ok", slow: "changed", x: "ok", y: "ok", z: "ok" },
    },
    {
      title: "a failure in one lane: the other lane finishes its task in hand, starts no more, the play stops",
      tasks: (l) => [...concurrently("g", [step(l, "slow", 40)], [step(l, "x", 5, "fail"), step(l, "y", 1)]), step(l, "z", 1)],
      log: ["slow>", "x>", "<x", "<slow"],
      exit: 2,
      statuses: { slow: "ok", x: "failed" },
    },
    {
      title: "a lost host in one lane is reported after the other lane's task in hand ends",
      tasks: (l) => [...concurrently("g", [step(l, "slow", 40), step(l, "after", 1)], [step(l, "x", 5, "lost")]), step(l, "z", 1)],
      log: ["slow>", "x>", "<x", "<slow"],
      exit: 4,
      statuses: { slow: "ok", x: "failed" },
    },
    {
      title: "two groups in a row run one after the other",
      tasks: (l) => [...concurrently("g1", [step(l, "a", 20)], [step(l, "b", 1)]), ...concurrently("g2", [step(l, "c", 1)], [step(l, "d", 1)])],
      log: ["a>", "b>", "<b", "<a", "c>", "d>", "<c", "<d"],
      exit: 0,
      statuses: { a: "ok", b: "ok", c: "ok", d: "ok" },
    },
  ];
  for (const c of cases) {
    it(c.title, async () => {
      const { log, report, h } = await run(c.tasks);
      assert.deepEqual(log, c.log);
      assert.equal(playExitCode(report), c.exit);
      assert.deepEqual(Object.fromEntries(report.tasks.map((t) => [t.name, t.status])), c.statuses);
      assert.ok(h.closed, "the connection closes only after every lane ended");
    });
  }

  it("keeps tags and facts of the tasks it wraps, and never changes the tasks themselves", () => {
    const inner: Task = { name: "i", tags: ["db"], facts: () => [], check: async () => noChange };
    const [wrapped] = concurrently("g", [inner]);
    assert.deepEqual(wrapped!.tags, ["db"]);
    assert.equal(wrapped!.facts, inner.facts);
    assert.deepEqual(wrapped!.lane, { group: "g", index: 0 });
    assert.equal(inner.lane, undefined);
  });
});
