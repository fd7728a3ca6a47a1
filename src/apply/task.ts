import { UnreachableError } from "../errors.js";
import { describeAction } from "../plan/actions.js";
import type { Task } from "../plan/types.js";
import { failed, messageOf, result } from "../report/results.js";
import { redactor } from "../secrets/redactor.js";
import { runActions } from "./actions.js";
import { runHandlers, type HandlerOptions } from "../handlers/run.js";
import type { HostSession } from "./session.js";

export interface TaskRun extends HandlerOptions {
  // Facts the rest of this host's tasks read, re-read in one batch after a change.
  factsAfter(s: HostSession, task: Task): ReturnType<NonNullable<Task["facts"]>>;
  // Called when a change is made (or would be, in check mode), so `once` changes reach every host.
  onChange(session: HostSession, task: Task): void;
  signal?: AbortSignal;
}

// One task on one host: check, then the plan's actions and their bookkeeping. False when the host must stop.
export async function runTask(s: HostSession, task: Task, run: TaskRun): Promise<boolean> {
  const ctx = s.ctx;
  if (run.signal?.aborted) {
    s.stop("interrupted; pending handlers are kept for the next run", false);
    return false;
  }
  if (task.flushHandlers) return runHandlers(s, run, task.flushHandlers);
  const begin = Date.now();
  run.events?.taskStart?.(s.name, task.name);
  if (task.when && !task.when(ctx)) {
    s.record(result(s.name, task.name, task.tags, "skipped", begin));
    return true;
  }
  try {
    const plan = await task.check(ctx);
    if (!plan.change) {
      s.record(result(s.name, task.name, task.tags, "ok", begin));
      return true;
    }
    if (!ctx.check) {
      await runActions(ctx, plan.actions);
      // A change can move any fact (a package brings files and units): re-read what later tasks need,
      // again in one batch.
      ctx.facts.invalidate();
      await ctx.facts.gather(run.factsAfter(s, task));
    } else {
      s.wouldHaveChanged = true;
    }
    // Saved on the host before anything else happens, so a later failure cannot lose the restart.
    await s.pending.add(task.notify ?? []);
    run.onChange(s, task);
    s.record({
      ...result(s.name, task.name, task.tags, "changed", begin),
      summary: plan.summary,
      ...(plan.diff ? { diff: plan.diff } : {}),
      actions: plan.actions.map((a) => redactor.redact(describeAction(a))),
    });
    return true;
  } catch (error) {
    if (error instanceof UnreachableError) {
      s.record(failed(s.name, task.name, task.tags, begin, error));
      // The host's one-line error names the step the connection was lost in.
      s.stop(`${task.name}: ${messageOf(error)}`, true);
      return false;
    }
    if (ctx.check && s.wouldHaveChanged) {
      // The state this check needs would have been created by an earlier change that check mode skipped.
      s.record({
        ...result(s.name, task.name, task.tags, "changed", begin),
        summary: `would change (cannot be checked before earlier changes are made: ${messageOf(error)})`,
      });
      return true;
    }
    s.record(failed(s.name, task.name, task.tags, begin, error));
    s.stop(`${task.name}: ${messageOf(error)}`, false);
    return false;
  }
}

// A host's tasks of one step in order; consecutive tasks of one `concurrently` group run lane by lane side by
// side, and a failure in one lane lets the others finish the task in hand and start no more.
export async function runTaskList(s: HostSession, tasks: Task[], run: TaskRun): Promise<boolean> {
  for (let i = 0; i < tasks.length; ) {
    const group = tasks[i]!.lane?.group;
    if (group === undefined) {
      if (!(await runTask(s, tasks[i++]!, run))) return false;
      continue;
    }
    let end = i;
    while (end < tasks.length && tasks[end]!.lane?.group === group) end++;
    const lanes = new Map<number, Task[]>();
    for (const task of tasks.slice(i, end)) lanes.set(task.lane!.index, [...(lanes.get(task.lane!.index) ?? []), task]);
    let ok = true;
    await Promise.all(
      [...lanes.values()].map(async (lane) => {
        for (const task of lane) {
          if (!ok) return;
          if (!(await runTask(s, task, run))) ok = false;
        }
      }),
    );
    if (!ok) return false;
    i = end;
  }
  return true;
}
