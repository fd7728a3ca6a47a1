// Exit codes of a finished play: a connection lost in the middle of a task is "unreachable" (4), not a task
// failure (2); a real task failure on any host still outranks it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { playExitCode } from "../../src/report/recap.js";
import type { HostSummary, PlayReport } from "../../src/report/types.js";

const host = (h: Partial<HostSummary>): HostSummary => ({ ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: false, ...h });
const report = (hosts: Record<string, HostSummary>): PlayReport => ({ version: 1, playbook: "p", check: false, durationMs: 0, hosts, tasks: [] });

describe("play exit codes", () => {
  it("0 when every host is fine", () => assert.equal(playExitCode(report({ a: host({ ok: 3 }) })), 0));
  it("2 for a failed task", () => assert.equal(playExitCode(report({ a: host({ failed: 1, error: "t: x" }) })), 2));
  it("2 for a host error without a task (preflight, host lock, interrupt)", () => assert.equal(playExitCode(report({ a: host({ error: "host lock: busy" }) })), 2));
  it("4 when the connection was lost during a task", () =>
    assert.equal(playExitCode(report({ a: host({ ok: 5, failed: 1, unreachable: true, error: "Glance packages: connection lost" }) })), 4));
  it("2 outranks 4 across hosts", () =>
    assert.equal(playExitCode(report({ a: host({ failed: 1, unreachable: true, error: "x" }), b: host({ failed: 1, error: "y" }) })), 2));
});
