import assert from "node:assert/strict";
import { runPlay } from "../../src/apply/play.js";
import type { InventoryHost } from "../../src/inventory/load.js";
import { applyDefaults, secretVarNames, type HostVars } from "../../src/inventory/vars.js";
import type { Handler, Task } from "../../src/plan/types.js";
import type { PlayReport, TaskResult } from "../../src/report/types.js";
import { redactor } from "../../src/secrets/redactor.js";
import type { ScriptedHost } from "../helpers/scriptedHost.js";

export interface RunOptions {
  vars?: Record<string, unknown>;
  check?: boolean;
  handlers?: Handler[];
}

// Host variables as the loader would produce them, secrets registered with the redactor as loading does.
export function hostVars(vars: Record<string, unknown> = {}): HostVars {
  for (const name of secretVarNames) {
    const value = vars[name];
    if (typeof value === "string") redactor.add(value);
  }
  return applyDefaults("h1", { ansible_host: "192.0.2.10", management_address: "10.0.0.11", ...vars });
}

// Runs tasks as a one-host playbook through runPlay, so facts go through the batched probe like in a deploy.
export async function runTasks(h: ScriptedHost, tasks: Task[], options: RunOptions = {}): Promise<PlayReport> {
  const host: InventoryHost = { name: h.host, groups: ["controller"], vars: hostVars(options.vars) };
  return runPlay({
    playbook: { name: "test", group: "controller", tasks, handlers: options.handlers ?? [] },
    hosts: [host],
    connect: async () => h,
    check: options.check ?? false,
  });
}

// The result of a single task run through runPlay.
export async function runTask(h: ScriptedHost, task: Task, options: RunOptions = {}): Promise<TaskResult> {
  const report = await runTasks(h, [task], options);
  const result = report.tasks.find((t) => t.name === task.name);
  assert.ok(result, `task ${task.name} has a result: ${JSON.stringify(report)}`);
  return result;
}

// Secrets may travel on stdin or in files, never in a command line.
export function assertNoSecretInCommands(h: ScriptedHost, secrets: string[]): void {
  for (const command of h.commands()) {
    for (const secret of secrets) assert.ok(!command.includes(secret), `secret on a command line: ${command}`);
  }
}

// Nothing a report carries (summary, diff, error) shows a secret.
export function assertNoSecretInResult(result: TaskResult, secrets: string[]): void {
  const text = JSON.stringify(result);
  for (const secret of secrets) assert.ok(!text.includes(secret), `secret in report: ${text}`);
}
