// Shared by the reliability and security end-to-end tests: the CLI as a process, inventories derived from a
// converged lab's, and small host-side helpers.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import { after, before } from "node:test";
import { convergedLab, type ConvergedLab } from "../helpers/converged.js";
import type { PlayReport } from "../../src/report/types.js";

export const BIN = new URL("../../dist/src/cli/bin.js", import.meta.url).pathname;
export const notRoot = process.getuid?.() !== 0;
export const skip = notRoot ? "e2e tests need root (they build lab hosts)" : false;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

// The CLI as operators run it: a separate process, compiled JS, plain progress lines (CI).
export function start(args: string[], env: Record<string, string> = {}): ResultPromise<{ reject: false; env: Record<string, string>; timeout: number; all: false }> {
  return execa("node", [BIN, ...args], { reject: false, env: { CI: "1", ...env }, timeout: 10 * 60_000, all: false });
}

// The converged one-host lab a test file works on: a clone booted before its tests, removed after them. The tests
// start once its services answer a check-mode run: a freshly booted clone loads Keystone's and Glance's workers
// for a while (much longer on a busy machine), and its first requests may hang up meanwhile.
export function useConvergedLab(): () => ConvergedLab {
  let lab: ConvergedLab | undefined;
  before(async () => {
    if (notRoot) return;
    lab = await convergedLab(1);
    const deadline = Date.now() + 10 * 60_000;
    for (let delay = 2000; ; delay = Math.min(delay * 2, 30_000)) {
      const r = await cli(["deploy", "--inventory", lab.inventory, "--playbook", "glance", "--check"]);
      if (r.code === 0) break;
      if (Date.now() + delay > deadline) assert.fail(`the lab host's services never answered:\n${r.stdout}\n${r.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  });
  after(async () => {
    if (notRoot) return;
    await lab?.down();
  });
  return () => lab!;
}

export async function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const r = await start(args, env);
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export function parseReport(r: CliResult): PlayReport {
  try {
    return JSON.parse(r.stdout) as PlayReport;
  } catch {
    assert.fail(`no JSON report (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

export async function deploy(inventory: string, playbook: string, extra: string[] = []): Promise<CliResult & { report: PlayReport }> {
  const r = await cli(["deploy", "--inventory", inventory, "--playbook", playbook, "--json", ...extra]);
  return { ...r, report: parseReport(r) };
}

export const changedTasks = (report: PlayReport) => report.tasks.filter((t) => t.status === "changed").map((t) => t.name);

export function failures(report: PlayReport): string {
  return report.tasks.filter((t) => t.status === "failed").map((t) => `${t.name}: ${t.error}`).join("\n") + JSON.stringify(report.hosts);
}

// A copy of the lab's inventory with extra variables under all.vars (YAML flow values).
export function variant(lab: ConvergedLab, name: string, vars: Record<string, string>, edit: (text: string) => string = (t) => t): string {
  const path = join(lab.paths.state, `inventory.${name}.yaml`);
  let text = edit(readFileSync(lab.inventory, "utf8"));
  for (const [k, v] of Object.entries(vars)) {
    const line = new RegExp(`^    ${k}: .*$`, "m");
    text = line.test(text) ? text.replace(line, `    ${k}: ${v}`) : text.replace("  vars:\n", `  vars:\n    ${k}: ${v}\n`);
  }
  writeFileSync(path, text);
  return path;
}

export async function sh(lab: ConvergedLab, host: string, command: string): Promise<string> {
  const r = await lab.exec(host, command);
  assert.equal(r.code, 0, `${command} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

// Polls until fn is true (backoff, bounded); the test fails with `what` when it never becomes true.
export async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 50;
  while (!(await fn())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 500);
  }
}

// Resolves when the process's stderr has printed a line matching re.
export function stderrLine(p: ResultPromise, re: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = "";
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split("\n").find((l) => re.test(l));
      if (line !== undefined) {
        p.stderr?.off("data", onData);
        resolve(line);
      }
    };
    p.stderr?.on("data", onData);
    p.then(() => reject(new Error(`process ended before printing ${re}:\n${buffer}`)), reject);
  });
}

// Host-side: the host lock is free (a second run could take it at once).
export async function hostLockFree(lab: ConvergedLab, host: string): Promise<boolean> {
  const r = await lab.exec(host, "test ! -e /var/lib/glance-deploy/lock || flock -n /var/lib/glance-deploy/lock true");
  return r.code === 0;
}

// Host-side: holds the dpkg frontend lock (apt's fcntl lock) in a transient unit until stopped.
export async function holdDpkgLock(lab: ConvergedLab, host: string, unit = "gd-test-dpkg-lock"): Promise<() => Promise<void>> {
  const py = (flags: string) => `python3 -c 'import fcntl,time; f=open("/var/lib/dpkg/lock-frontend","w"); fcntl.lockf(f,${flags}); time.sleep(3600)'`;
  await sh(lab, host, `systemd-run --quiet --unit=${unit} ${py("fcntl.LOCK_EX")}`);
  await until("dpkg lock held", async () => (await lab.exec(host, py("fcntl.LOCK_EX|fcntl.LOCK_NB").replace("time.sleep(3600)", "0"))).code !== 0);
  return async () => void (await lab.exec(host, `systemctl stop ${unit}; systemctl reset-failed ${unit} 2>/dev/null; true`));
}
