import pLimit from "p-limit";
import { DeployError, UnreachableError } from "../errors.js";
import { FactStore, type FactSpec } from "../facts/batch.js";
import { PendingHandlers, pendingHandlersFact } from "../handlers/pending.js";
import type { InventoryHost } from "../inventory/load.js";
import type { Playbook, Task, TaskContext } from "../plan/types.js";
import { redactor } from "../secrets/redactor.js";
import type { HostSummary, PlayReport, TaskResult } from "../report/types.js";
import type { Transport } from "../transport/types.js";
import { acquireHostLock, type HostLock } from "./hostLock.js";
import { selectTasks, type Selection } from "./select.js";

export interface PlayEvents {
  hostStart?(host: string): void;
  taskStart?(host: string, task: string): void;
  taskEnd?(result: TaskResult): void;
  hostEnd?(host: string, summary: HostSummary): void;
  log?(host: string, message: string): void;
}

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

// Runs a playbook on every host (in parallel, bounded), each host independent: one failing stops only itself.
export async function runPlay(options: PlayOptions): Promise<PlayReport> {
  const started = Date.now();
  const limit = pLimit(Math.max(1, options.concurrency ?? 10));
  const report: PlayReport = {
    version: 1,
    playbook: options.playbook.name,
    check: options.check ?? false,
    durationMs: 0,
    hosts: {},
    tasks: [],
  };
  await Promise.all(options.hosts.map((host) => limit(() => runHost(options, host, report))));
  // Hosts finish in any order; the report lists tasks host by host, in play order.
  const order = new Map(options.hosts.map((h, i) => [h.name, i]));
  report.tasks.sort((a, b) => order.get(a.host)! - order.get(b.host)!);
  report.durationMs = Date.now() - started;
  return redactor.redactValue(report);
}

// One host's play: connect, one batched fact probe, preflight, tasks in order, then handlers.
async function runHost(options: PlayOptions, host: InventoryHost, report: PlayReport): Promise<void> {
  const { playbook, events } = options;
  const summary: HostSummary = { ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: false };
  report.hosts[host.name] = summary;
  events?.hostStart?.(host.name);
  const record = (result: TaskResult) => {
    const clean = redactor.redactValue(result);
    report.tasks.push(clean);
    summary[clean.status]++;
    events?.taskEnd?.(clean);
  };

  if (options.signal?.aborted) {
    summary.error = "interrupted before start";
    events?.hostEnd?.(host.name, summary);
    return;
  }
  let t: Transport;
  const connectBegin = Date.now();
  try {
    t = await options.connect(host);
    events?.log?.(host.name, `connected (${Date.now() - connectBegin} ms)`);
  } catch (error) {
    summary.unreachable = error instanceof UnreachableError || !(error instanceof DeployError);
    summary.error = redactor.redact(messageOf(error));
    events?.hostEnd?.(host.name, summary);
    return;
  }

  const ctx: TaskContext = {
    host,
    vars: host.vars,
    t,
    facts: new FactStore(t),
    check: options.check ?? false,
    shared: new Map(),
    changed: [],
    notified: () => false,
    log: (message) => events?.log?.(host.name, redactor.redact(message)),
  };
  const tasks = selectTasks(playbook.tasks, options.selection ?? {});
  let lock: HostLock | undefined;
  try {
    // One run at a time per host, for the whole play (released below, and by the host if the link drops).
    // The fact probe rides on the lock's own command: read under the lock, in the same round trip.
    const specs: FactSpec<unknown>[] = [pendingHandlersFact, ...[...(playbook.preflight ?? []), ...tasks].flatMap((x) => x.facts?.(ctx.vars) ?? [])];
    const batch = ctx.facts.batch(specs);
    const lockBegin = Date.now();
    lock = await acquireHostLock(t, {
      timeoutS: host.vars.host_lock_timeout,
      log: ctx.log,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(batch ? { then: batch.script } : {}),
    });
    if (batch && lock?.output !== undefined) batch.read(lock.output, 0);
    ctx.log(`host lock held, ${specs.length} facts read (${Date.now() - lockBegin} ms)`);
    await runTasks(options, ctx, tasks, specs, record, summary);
  } catch (error) {
    summary.unreachable ||= error instanceof UnreachableError;
    summary.error ??= redactor.redact(messageOf(error));
  } finally {
    await playbook.cleanup?.(ctx).catch(() => undefined);
    await lock?.release().catch(() => undefined);
    await t.close().catch(() => undefined);
    events?.hostEnd?.(host.name, summary);
  }
}

async function runTasks(
  options: PlayOptions,
  ctx: TaskContext,
  tasks: Task[],
  specs: FactSpec<unknown>[],
  record: (r: TaskResult) => void,
  summary: HostSummary,
): Promise<void> {
  const { playbook, events } = options;
  // Whatever the lock's probe could not carry (facts fed a secret on stdin; transports without a lock).
  await ctx.facts.gather(specs);
  const pending = new PendingHandlers(ctx.t, await ctx.facts.get(pendingHandlersFact), !ctx.check);
  ctx.notified = (name) => pending.has(name);

  // Warm-up: every task's remote lookups in flight at once, alongside the preflight checks (both only read;
  // a prefetch that fails is ignored here and repeated, and reported, by its task's check).
  for (const task of tasks) task.prefetch?.(ctx).catch(() => undefined);
  // Preflight checks are independent reads: run them together; report failures in the playbook's order.
  const begin = Date.now();
  const checks = playbook.preflight ?? [];
  const outcomes = await Promise.allSettled(checks.map((check) => check.run(ctx)));
  // The rejections, each with its check, in the playbook's order.
  const rejected = checks.flatMap((check, i) => {
    const o = outcomes[i]!;
    return o.status === "rejected" ? [{ check, reason: o.reason as unknown }] : [];
  });
  const unreachable = rejected.find((r) => r.reason instanceof UnreachableError);
  if (unreachable) throw unreachable.reason;
  for (const r of rejected) record(failed(ctx, `preflight: ${r.check.name}`, ["preflight"], begin, r.reason));
  if (rejected.length) {
    summary.error = `preflight failed: ${redactor.redact(messageOf(rejected[0]!.reason))}`;
    return;
  }
  if (checks.length) ctx.log(`preflight passed (${Date.now() - begin} ms)`);

  // Set once a check-mode change was not made: later checks may then fail only because of it.
  let wouldHaveChanged = false;
  // One task: check, then apply and its bookkeeping. False when the play must stop on this host.
  const runOne = async (task: Task): Promise<boolean> => {
    if (options.signal?.aborted) {
      summary.error ??= "interrupted; pending handlers are kept for the next run";
      return false;
    }
    if (task.flushHandlers) return runHandlers(options, ctx, pending, record, summary, task.flushHandlers);
    const begin = Date.now();
    events?.taskStart?.(ctx.host.name, task.name);
    if (task.when && !task.when(ctx)) {
      record({ host: ctx.host.name, name: task.name, tags: task.tags, status: "skipped", durationMs: 0 });
      return true;
    }
    try {
      const plan = await task.check(ctx);
      if (!plan.change) {
        record(result(ctx, task, "ok", begin));
        return true;
      }
      if (!ctx.check) {
        await plan.apply();
        // A change can move any fact (a package brings files and units): re-read what later tasks need,
        // again in one batch.
        ctx.facts.invalidate();
        await ctx.facts.gather(remaining(tasks, task).flatMap((t) => t.facts?.(ctx.vars) ?? []));
        // Saved on the host before anything else happens, so a later failure cannot lose the restart.
        await pending.add(task.notify ?? []);
      } else {
        wouldHaveChanged = true;
        await pending.add(task.notify ?? []);
      }
      ctx.changed.push(task.name);
      record({ ...result(ctx, task, "changed", begin), summary: plan.summary, ...(plan.diff ? { diff: plan.diff } : {}) });
      return true;
    } catch (error) {
      if (error instanceof UnreachableError) {
        record(failed(ctx, task.name, task.tags, begin, error));
        // The host's one-line error names the step the connection was lost in.
        summary.error ??= `${task.name}: ${redactor.redact(messageOf(error))}`;
        throw error;
      }
      if (ctx.check && wouldHaveChanged) {
        // The state this check needs would have been created by an earlier change that check mode skipped.
        record({
          ...result(ctx, task, "changed", begin),
          summary: `would change (cannot be checked before earlier changes are made: ${messageOf(error)})`,
        });
        return true;
      }
      record(failed(ctx, task.name, task.tags, begin, error));
      summary.error ??= `${task.name}: ${redactor.redact(messageOf(error))}`;
      return false;
    }
  };

  for (let i = 0; i < tasks.length; ) {
    const group = tasks[i]!.lane?.group;
    if (group === undefined) {
      if (!(await runOne(tasks[i++]!))) return;
      continue;
    }
    // Consecutive tasks of one group: its lanes run at the same time, each in order; a failure in one lane
    // lets the others finish the task in hand and start no more.
    let end = i;
    while (end < tasks.length && tasks[end]!.lane?.group === group) end++;
    const lanes = new Map<number, Task[]>();
    for (const task of tasks.slice(i, end)) lanes.set(task.lane!.index, [...(lanes.get(task.lane!.index) ?? []), task]);
    let ok = true;
    const outcomes = await Promise.allSettled(
      [...lanes.values()].map(async (lane) => {
        for (const task of lane) {
          if (!ok) return;
          const went = await runOne(task).catch((error: unknown) => {
            ok = false;
            throw error;
          });
          if (!went) ok = false;
        }
      }),
    );
    const lost = outcomes.find((o) => o.status === "rejected");
    if (lost) throw lost.reason;
    if (!ok) return;
    i = end;
  }
  await runHandlers(options, ctx, pending, record, summary);
}

// Handlers run once each, in the playbook's order; each is forgotten on the host only after it succeeded.
// Handlers of other playbooks found on the host stay pending for those playbooks. False when one failed.
async function runHandlers(
  options: PlayOptions,
  ctx: TaskContext,
  pending: PendingHandlers,
  record: (r: TaskResult) => void,
  summary: HostSummary,
  only?: string[],
): Promise<boolean> {
  for (const handler of options.playbook.handlers ?? []) {
    if (!pending.has(handler.name) || (only && !only.includes(handler.name))) continue;
    const begin = Date.now();
    const name = `handler: ${handler.name}`;
    options.events?.taskStart?.(ctx.host.name, name);
    if (ctx.check) {
      await pending.done(handler.name);
      record({ host: ctx.host.name, name, tags: ["handler"], status: "changed", durationMs: 0, summary: `would run ${handler.name}` });
      continue;
    }
    try {
      await handler.run(ctx);
      // A restart is a change too: what was read before it (facts, API answers) is read again.
      ctx.changed.push(name);
      ctx.facts.invalidate();
      await pending.done(handler.name);
      record({ host: ctx.host.name, name, tags: ["handler"], status: "changed", durationMs: Date.now() - begin, summary: `ran ${handler.name}` });
    } catch (error) {
      if (error instanceof UnreachableError) throw error;
      record(failed(ctx, name, ["handler"], begin, error));
      summary.error = `${name}: ${redactor.redact(messageOf(error))}`;
      return false;
    }
  }
  return true;
}

// Tasks after the given one, whose facts are worth re-reading together.
function remaining(tasks: Task[], current: Task): Task[] {
  return tasks.slice(tasks.indexOf(current) + 1);
}

function result(ctx: TaskContext, task: Task, status: TaskResult["status"], begin: number): TaskResult {
  return { host: ctx.host.name, name: task.name, tags: task.tags, status, durationMs: Date.now() - begin };
}

function failed(ctx: TaskContext, name: string, tags: string[], begin: number, error: unknown): TaskResult {
  return { host: ctx.host.name, name, tags, status: "failed", durationMs: Date.now() - begin, error: redactor.redact(messageOf(error)) };
}

// Error text for reports: our own errors carry their message; anything else keeps its class for debugging.
export function messageOf(error: unknown): string {
  if (error instanceof DeployError) return error.message;
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
