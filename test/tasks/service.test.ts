import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { execa } from "execa";
import { call } from "../../src/plan/actions.js";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PENDING_FILE } from "../../src/facts/state.js";
import { restartHandler, service, watchActiveScript } from "../../src/tasks/service.js";
import { ScriptedHost, type Rule } from "../helpers/scriptedHost.js";
import { runTask, runTasks } from "./runTask.js";

interface Unit {
  enabled: string;
  active: string;
  // Exit code of `systemctl start/restart`; a failed start leaves the unit failed.
  startExit?: number;
  // systemd's start rate limit was hit: starts are refused until `systemctl reset-failed`.
  startLimited?: boolean;
  // systemctl reports the start done, and the process exits at once (a simple unit on a bad setting).
  diesAfterStart?: boolean;
}

// systemctl and journalctl answering from one unit's state, as systemd prints it.
function systemdHost(units: Record<string, Unit>): ScriptedHost {
  const rules: Rule[] = [
    [/^systemctl is-enabled (\S+); systemctl is-active (\S+)$/, (m) => {
      const u = units[m[1]!];
      if (!u) return { stdout: "\ninactive\n", code: 3 };
      return { stdout: `${u.enabled}\n${u.active}\n`, code: u.active === "active" ? 0 : 3 };
    }],
    [/^systemctl reset-failed (\S+)$/, (m) => {
      const u = units[m[1]!]!;
      u.startLimited = false;
      if (u.active === "failed") u.active = "inactive";
      return "";
    }],
    [/^systemctl (enable|start|restart) (\S+)$/, (m) => {
      const u = units[m[2]!]!;
      if (m[1] === "enable") {
        u.enabled = "enabled";
        return "";
      }
      if (u.startLimited) return { code: 1, stderr: `Job for ${m[2]}.service failed: start-limit-hit.` };
      if (u.startExit) {
        u.active = "failed";
        return { code: u.startExit, stderr: `Job for ${m[2]}.service failed because the control process exited with error code.` };
      }
      u.active = u.diesAfterStart ? "failed" : "active";
      return "";
    }],
    // The check after a start: the unit's state, looked at over a moment.
    [/^n=0; end=.*\$\(systemctl is-active (\S+)\);/, (m) => {
      const u = units[m[1]!]!;
      return u.active === "active" ? "active\n" : { code: 3, stdout: `${u.active}\n` };
    }],
    [/^systemctl is-active (\S+)$/, (m) => ({ code: units[m[1]!]!.active === "active" ? 0 : 3, stdout: `${units[m[1]!]!.active}\n` })],
    [/^journalctl -u (\S+) -n \d+ --no-pager -o cat$/, (m) => `${m[1]}: ERROR: cannot bind 0.0.0.0:9292: Address already in use\n`],
  ];
  return new ScriptedHost("h1", rules);
}

const task = (opts: { waited?: string[]; restartedBy?: string } = {}) =>
  service({
    name: "glance-api running",
    tags: ["service"],
    unit: "glance-api",
    ...(opts.restartedBy ? { restartedBy: opts.restartedBy } : {}),
    ...(opts.waited ? { waitReady: async (ctx) => void opts.waited!.push(ctx.host.name) } : {}),
  });

const cases: {
  title: string;
  unit: Unit;
  pending?: string;
  restartedBy?: string;
  check?: boolean;
  status: string;
  summary?: string;
  diff?: string;
  error?: RegExp;
  commands: string[];
  waited: number;
}[] = [
  { title: "enabled and active: ok", unit: { enabled: "enabled", active: "active" }, status: "ok", commands: [], waited: 0 },
  { title: "disabled and inactive: enable then start, then wait until ready", unit: { enabled: "disabled", active: "inactive" }, status: "changed", summary: "enable glance-api, start glance-api", diff: "glance-api: disabled/inactive → enabled/active", commands: ["systemctl enable glance-api", "systemctl reset-failed glance-api", "systemctl start glance-api"], waited: 1 },
  { title: "crash-looped into start-limit-hit: reset-failed, then start", unit: { enabled: "enabled", active: "failed", startLimited: true }, status: "changed", summary: "start glance-api", commands: ["systemctl reset-failed glance-api", "systemctl start glance-api"], waited: 1 },
  { title: "enabled but failed: start only", unit: { enabled: "enabled", active: "failed" }, status: "changed", summary: "start glance-api", commands: ["systemctl reset-failed glance-api", "systemctl start glance-api"], waited: 1 },
  { title: "running but disabled at boot: enable only, no restart, no wait", unit: { enabled: "disabled", active: "active" }, status: "changed", summary: "enable glance-api", commands: ["systemctl enable glance-api"], waited: 0 },
  { title: "masked unit counts as not enabled: enable and start are attempted", unit: { enabled: "masked", active: "inactive" }, status: "changed", summary: "enable glance-api, start glance-api", commands: ["systemctl enable glance-api", "systemctl reset-failed glance-api", "systemctl start glance-api"], waited: 1 },
  { title: "stopped while its restart handler is pending: the restart will start it", unit: { enabled: "enabled", active: "inactive" }, pending: "restart glance-api", restartedBy: "restart glance-api", status: "ok", commands: [], waited: 0 },
  { title: "pending restart does not stop enabling", unit: { enabled: "disabled", active: "inactive" }, pending: "restart glance-api", restartedBy: "restart glance-api", status: "changed", summary: "enable glance-api", commands: ["systemctl enable glance-api"], waited: 0 },
  { title: "another handler pending does not count", unit: { enabled: "enabled", active: "inactive" }, pending: "restart keystone", restartedBy: "restart glance-api", status: "changed", summary: "start glance-api", commands: ["systemctl reset-failed glance-api", "systemctl start glance-api"], waited: 1 },
  { title: "check mode: would enable and start, runs nothing", unit: { enabled: "disabled", active: "inactive" }, check: true, status: "changed", summary: "enable glance-api, start glance-api", commands: [], waited: 0 },
  { title: "started, then dead a moment later: fails with the unit's state and journal", unit: { enabled: "enabled", active: "inactive", diesAfterStart: true }, status: "failed", error: /systemctl start glance-api returned, but glance-api is failed; journal of glance-api: glance-api: ERROR: cannot bind/, commands: ["systemctl reset-failed glance-api", "systemctl start glance-api", "journalctl -u glance-api -n 10 --no-pager -o cat"], waited: 1 },
  { title: "a failed start fails with systemctl's error and the journal", unit: { enabled: "enabled", active: "inactive", startExit: 1 }, status: "failed", error: /systemctl start glance-api exited 1: .*Job for glance-api\.service failed.*\| glance-api: ERROR: cannot bind/, commands: ["systemctl reset-failed glance-api", "systemctl start glance-api", "journalctl -u glance-api -n 15 --no-pager -o cat"], waited: 0 },
];

describe("service: unit state in, systemctl out", () => {
  for (const c of cases) {
    it(c.title, async () => {
      const unit = { ...c.unit };
      const h = systemdHost({ "glance-api": unit });
      if (c.pending) h.files.set(PENDING_FILE, { content: `${c.pending}\n`, mode: 0o600, owner: "root", group: "root" });
      const waited: string[] = [];
      const result = await runTask(h, task({ waited, ...(c.restartedBy ? { restartedBy: c.restartedBy } : {}) }), { check: c.check ?? false });
      assert.equal(result.status, c.status, JSON.stringify(result));
      if (c.summary) assert.equal(result.summary, c.summary);
      if (c.diff) assert.equal(result.diff, c.diff);
      if (c.error) assert.match(result.error ?? "", c.error);
      const actions = h.commands().filter((cmd) => /^(systemctl (enable|start|restart|reset-failed)|journalctl)/.test(cmd));
      assert.deepEqual(actions, c.commands);
      assert.equal(waited.length, c.waited);
      assert.equal(h.calls.filter((x) => x.command.includes("is-enabled")).length, 1, "state read once, in the batch");
      if (c.status === "changed" && !c.check && !c.pending) {
        assert.equal((await runTask(h, task())).status, "ok", "a second run changes nothing");
      }
    });
  }
});

describe("restartHandler", () => {
  it("restarts once, then waits for readiness", async () => {
    const h = systemdHost({ "glance-api": { enabled: "enabled", active: "active" } });
    const waited: string[] = [];
    const notifier = { name: "conf", tags: [], notify: ["restart glance-api"], check: async () => ({ change: true as const, summary: "x", actions: [call("apply", async () => {})] }) };
    const report = await runTasks(h, [notifier, { ...notifier, name: "conf2" }], { handlers: [restartHandler("restart glance-api", "glance-api", async () => void waited.push("x"))] });
    assert.deepEqual(h.commands().filter((c) => c.startsWith("systemctl restart")), ["systemctl restart glance-api"]);
    assert.equal(waited.length, 1);
    assert.equal(report.tasks.at(-1)!.status, "changed");
  });

  it("a failed restart fails the handler with the journal and keeps it pending", async () => {
    const h = systemdHost({ "glance-api": { enabled: "enabled", active: "active", startExit: 1 } });
    const notifier = { name: "conf", tags: [], notify: ["restart glance-api"], check: async () => ({ change: true as const, summary: "x", actions: [call("apply", async () => {})] }) };
    const report = await runTasks(h, [notifier], { handlers: [restartHandler("restart glance-api", "glance-api")] });
    const handler = report.tasks.at(-1)!;
    assert.equal(handler.status, "failed");
    assert.match(handler.error ?? "", /systemctl restart glance-api exited 1: .*cannot bind/);
    assert.equal(h.files.get(PENDING_FILE)?.content, "restart glance-api\n");
  });

  const notifier = { name: "conf", tags: [], notify: ["restart memcached"], check: async () => ({ change: true as const, summary: "x", actions: [call("apply", async () => {})] }) };
  const restartCases: { title: string; unit: Unit; port: "accepts" | "refuses"; status: string; error?: RegExp; forwards: number }[] = [
    { title: "restart returns and the unit stays up and accepts on its port: done", unit: { enabled: "enabled", active: "active" }, port: "accepts", status: "changed", forwards: 1 },
    { title: "restart returns but the unit dies a moment later: fails with its journal, no port check", unit: { enabled: "enabled", active: "active", diesAfterStart: true }, port: "accepts", status: "failed", error: /^h1: systemctl restart memcached returned, but memcached is failed; journal of memcached: memcached: ERROR/, forwards: 0 },
    { title: "up but its port refuses connections: fails naming the address", unit: { enabled: "enabled", active: "active" }, port: "refuses", status: "failed", error: /10\.0\.0\.11:11211 accepted no connection within 1 s \(Connection refused\)/, forwards: 2 },
  ];
  for (const c of restartCases) {
    it(c.title, async () => {
      const h = systemdHost({ memcached: { ...c.unit } });
      h.forwardTo = async () => (c.port === "accepts" ? new PassThrough() : Promise.reject(new Error("Connection refused")));
      const report = await runTasks(h, [notifier], { handlers: [restartHandler("restart memcached", "memcached")], vars: { service_start_timeout: 1 } });
      const handler = report.tasks.at(-1)!;
      assert.equal(handler.status, c.status, JSON.stringify(handler));
      if (c.error) assert.match(handler.error ?? "", c.error);
      if (c.status === "failed") assert.equal(h.files.get(PENDING_FILE)?.content, "restart memcached\n", "a failed restart stays owed");
      const forwards = h.forwards.filter((f) => f.host === "10.0.0.11" && f.port === 11211).length;
      assert.ok(c.forwards === 0 ? forwards === 0 : forwards >= c.forwards, `${forwards} connection attempts`);
    });
  }
});

// The watch after a start is a shell loop on the host: run it here against a stand-in `systemctl` that answers
// a scripted sequence of states (the last one repeats).
describe("the watch after a start, in a real shell", () => {
  const cases: [title: string, states: string[], looks: number, waitS: number, out: string, code: number][] = [
    ["active at every look", ["active"], 5, 5, "active", 0],
    ["dies after the first look: failed at once", ["active", "active", "failed"], 5, 5, "failed", 3],
    ["through its own restart, then stays up", ["activating", "activating", "active"], 3, 5, "active", 0],
    ["never settles: its state after the wait", ["activating"], 3, 1, "activating", 3],
    ["active, gone, back: five in a row are needed", ["active", "deactivating", "active"], 5, 5, "active", 0],
  ];
  for (const [title, states, looks, waitS, out, code] of cases) {
    it(title, async () => {
      const dir = mkdtempSync(join(tmpdir(), "gd-watch-"));
      try {
        writeFileSync(join(dir, "states"), states.join("\n") + "\n");
        // Pops the next state on each call, keeping the last.
        writeFileSync(join(dir, "systemctl"), `#!/bin/sh\nf=${dir}/states\ns=$(head -n 1 $f)\n[ $(wc -l < $f) -gt 1 ] && sed -i 1d $f\necho "$s"\n`, { mode: 0o755 });
        const r = await execa("sh", ["-c", watchActiveScript("memcached", looks, waitS)], { env: { PATH: `${dir}:${process.env.PATH}` }, reject: false });
        assert.equal(r.stdout.trim(), out);
        assert.equal(r.exitCode, code);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
