// Exit codes of a finished play: a connection lost in the middle of a task is "unreachable" (4), not a task
// failure (2); a real task failure on any host still outranks it. `--check --detailed-exitcode` adds 3 for
// "changes pending" (drift) and leaves every failure its own code.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runPlay } from "../../src/apply/play.js";
import { ExitCode } from "../../src/errors.js";
import { applyDefaults } from "../../src/inventory/vars.js";
import { file } from "../../src/tasks/file.js";
import { detailedExitCode, playExitCode } from "../../src/report/recap.js";
import type { HostSummary, PlayReport, TaskResult } from "../../src/report/types.js";
import { ScriptedHost } from "../helpers/scriptedHost.js";

const host = (h: Partial<HostSummary>): HostSummary => ({ ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: false, ...h });
const report = (hosts: Record<string, HostSummary>, tasks: TaskResult[] = []): PlayReport => ({ version: 1, playbook: "p", check: true, durationMs: 0, hosts, tasks });
const task = (status: TaskResult["status"]): TaskResult => ({ host: "a", name: "t", tags: [], status, durationMs: 0 });

describe("play exit codes", () => {
  it("0 when every host is fine", () => assert.equal(playExitCode(report({ a: host({ ok: 3 }) })), 0));
  it("2 for a failed task", () => assert.equal(playExitCode(report({ a: host({ failed: 1, error: "t: x" }) })), 2));
  it("2 for a host error without a task (preflight, host lock, interrupt)", () => assert.equal(playExitCode(report({ a: host({ error: "host lock: busy" }) })), 2));
  it("4 when the connection was lost during a task", () =>
    assert.equal(playExitCode(report({ a: host({ ok: 5, failed: 1, unreachable: true, error: "Glance packages: connection lost" }) })), 4));
  it("2 outranks 4 across hosts", () =>
    assert.equal(playExitCode(report({ a: host({ failed: 1, unreachable: true, error: "x" }), b: host({ failed: 1, error: "y" }) })), 2));
});

describe("detailed exit codes (--check --detailed-exitcode)", () => {
  const cases: [what: string, r: PlayReport, code: number][] = [
    ["nothing would change: 0", report({ a: host({ ok: 4 }) }, [task("ok"), task("skipped")]), 0],
    ["a task would change: 3", report({ a: host({ ok: 3, changed: 1 }) }, [task("ok"), task("changed")]), 3],
    ["a change on one host of two: 3", report({ a: host({ ok: 2 }), b: host({ changed: 2 }) }), 3],
    ["a failure keeps 2 even with changes pending", report({ a: host({ changed: 1, failed: 1, error: "x" }) }, [task("changed"), task("failed")]), 2],
    ["an unreachable host keeps 4", report({ a: host({ changed: 1 }), b: host({ unreachable: true, error: "timed out" }) }), 4],
  ];
  for (const [what, r, code] of cases) it(what, () => assert.equal(detailedExitCode(r), code));

  it("3 is its own code, distinct from success and from every failure", () => {
    assert.equal(ExitCode.changesPending, 3);
    const others = Object.entries(ExitCode).filter(([name]) => name !== "changesPending").map(([, c]) => c);
    assert.ok(!others.includes(3));
  });

  // A real check-mode play: a converged host (the file is as rendered) and a drifted one (edited by hand).
  const conf = file({
    name: "app.conf",
    tags: ["config"],
    render: () => ({ path: "/etc/app.conf", content: "setting = 1\n", mode: 0o640, owner: "root", group: "app" }),
  });
  for (const [state, content, code] of [["converged", "setting = 1\n", 0], ["drifted", "setting = 2\n", 3]] as const) {
    it(`check mode on a ${state} host: ${code}`, async () => {
      const h = new ScriptedHost("h1");
      h.files.set("/etc/app.conf", { content, mode: 0o640, owner: "root", group: "app" });
      const played = await runPlay({
        playbook: { name: "test", group: "controller", tasks: [conf] },
        hosts: [{ name: "h1", groups: ["controller"], vars: applyDefaults("h1", {}) }],
        connect: async () => h,
        check: true,
      });
      assert.equal(detailedExitCode(played), code, JSON.stringify(played));
      assert.equal(playExitCode(played), 0, "without the flag a check run exits 0 either way");
      assert.equal(h.writes.length, 0);
    });
  }
});
