import pLimit from "p-limit";
import type { FactSpec } from "../facts/batch.js";
import { owedNotice, runHandlers } from "../handlers/run.js";
import type { InventoryHost } from "../inventory/load.js";
import { stepsOf, type Playbook, type Step, type Task } from "../plan/types.js";
import { runPreflight } from "../preflight/run.js";
import type { PlayEvents } from "../report/events.js";
import type { PlayReport } from "../report/types.js";
import { redactor } from "../secrets/redactor.js";
import type { Transport } from "../transport/types.js";
import { isSelected, selectTasks, type Selection } from "./select.js";
import { HostSession } from "./session.js";
import { runStep, tasksFor, type StepRun } from "./steps.js";
import { runVerification } from "./verify.js";

export type { PlayEvents } from "../report/events.js";

export interface PlayOptions {
  playbook: Playbook;
  hosts: InventoryHost[];
  connect: (host: InventoryHost) => Promise<Transport>;
  check?: boolean;
  selection?: Selection;
  concurrency?: number;
  events?: PlayEvents;
  // Aborting finishes the task in flight, keeps pending handlers, and stops every host's play.
  signal?: AbortSignal;
}

// A playbook over its group: connect every host, take each host's lock with its facts, preflight, then the
// steps in order with a barrier after each, the handlers, and the verification. One failing host stops only
// itself, unless it was running a `once` task for the group.
export async function runPlay(options: PlayOptions): Promise<PlayReport> {
  const started = Date.now();
  const check = options.check ?? false;
  const report: PlayReport = { version: 1, playbook: options.playbook.name, check, durationMs: 0, hosts: {}, tasks: [] };
  const group = { name: options.playbook.group, hosts: options.hosts };
  const sessions = options.hosts.map((host) => new HostSession(host, { ...options, check, group, report }));
  const steps: Step[] = stepsOf(options.playbook).map((s) => ({ ...s, tasks: selectTasks(s.tasks, options.selection ?? {}) }));
  const run = stepRun(options, sessions, steps);
  const limit = pLimit(Math.max(1, run.concurrency));
  const each = (work: (s: HostSession) => Promise<unknown>) =>
    Promise.all(sessions.filter((s) => s.live || s.ctx === undefined).map((s) => limit(() => work(s).catch((e: unknown) => s.stop(e)))));
  try {
    await each((s) => s.connect());
    await each((s) => openHost(s, options.playbook, steps, run));
    for (const step of steps) await runStep(step, sessions, run);
    await each((s) => (s.live ? runHandlers(s, run) : Promise.resolve()));
    const verify = options.playbook.verify;
    if (!check && verify && isSelected(verify.tags, options.selection ?? {})) await runVerification(verify, sessions, run);
  } finally {
    await Promise.all(sessions.map((s) => s.close()));
  }
  // The report lists tasks host by host, in inventory order.
  const order = new Map(options.hosts.map((h, i) => [h.name, i]));
  report.tasks.sort((a, b) => order.get(a.host)! - order.get(b.host)!);
  report.durationMs = Date.now() - started;
  return redactor.redactValue(report);
}

// Lock and facts (one round trip), every early lookup in flight, then the preflight checks.
async function openHost(s: HostSession, playbook: Playbook, steps: Step[], run: StepRun): Promise<void> {
  if (!s.live) return;
  const mine = steps.flatMap((step) => tasksFor(s, step.tasks, run));
  const specs: FactSpec<unknown>[] = [...(playbook.preflight ?? []), ...mine].flatMap((x) => x.facts?.(s.ctx.vars) ?? []);
  await s.probe(specs);
  const owed = owedNotice(s.pending.list(), run.handlers, s.ctx.check);
  if (owed) s.notice(owed);
  // Warm-up: remote lookups of every task this host runs, alongside the preflight checks (both only read; a
  // prefetch that fails is ignored here and repeated, and reported, by its task's check).
  for (const task of mine) task.prefetch?.(s.ctx).catch(() => undefined);
  if (!s.ctx.check) playbook.verify?.prefetch?.(s.ctx);
  await runPreflight(s, playbook.preflight ?? []);
}

function stepRun(options: PlayOptions, sessions: HostSession[], steps: Step[]): StepRun {
  const all = steps.flatMap((s) => s.tasks);
  return {
    concurrency: options.concurrency ?? 10,
    handlers: options.playbook.handlers ?? [],
    ...(options.events ? { events: options.events } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    onceHost(task: Task) {
      const named = task.once?.host?.(sessions[0]!.host.vars);
      return named ? sessions.find((s) => s.name === named && s.live) : sessions.find((s) => s.live);
    },
    // Facts of the tasks after this one that this host runs.
    factsAfter(s: HostSession, task: Task) {
      return tasksFor(s, all.slice(all.indexOf(task) + 1), this).flatMap((t) => t.facts?.(s.ctx.vars) ?? []);
    },
    onChange(session: HostSession, task: Task) {
      session.ctx.changed.push(task.name);
      // What a `once` task changed is part of every host's state from now on (Keystone answers, verification).
      if (!task.once) return;
      for (const other of sessions) {
        if (other === session || !other.ctx) continue;
        other.ctx.changed.push(task.name);
        if (session.ctx.check) other.wouldHaveChanged = true;
      }
    },
  };
}
