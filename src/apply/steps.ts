import pLimit from "p-limit";
import type { Step, Task } from "../plan/types.js";
import type { HostSession } from "./session.js";
import { runTaskList, type TaskRun } from "./task.js";

export interface StepRun extends TaskRun {
  concurrency: number;
  // The session a `once` task runs on (undefined: nobody can run it).
  onceHost(task: Task): HostSession | undefined;
}

// The tasks of a step that this host runs: its own, and the `once` ones placed on it.
export function tasksFor(s: HostSession, tasks: Task[], run: Pick<StepRun, "onceHost">): Task[] {
  return tasks.filter((task) => !task.once || run.onceHost(task) === s);
}

// One step across the group: every live host runs its part (all at once, or `serial` at a time), and the step
// ends only when all have (the barrier). A `once` task that cannot run, or fails, stops every host.
export async function runStep(step: Step, sessions: HostSession[], run: StepRun): Promise<void> {
  const live = sessions.filter((s) => s.live);
  // Where each `once` task runs is decided when the step begins and holds for the whole step.
  const placed = new Map(step.tasks.filter((t) => t.once).map((t) => [t, run.onceHost(t)] as const));
  for (const [task, host] of placed) {
    if (!host && live.length) return stopAll(live, `${task.name}: ${onceHostMissing(task, live[0]!)}`);
  }
  const here = { onceHost: (task: Task) => placed.get(task) };
  const limit = pLimit(Math.max(1, run.concurrency));
  const batches = step.serial ? chunks(live, step.serial) : [live];
  for (const [i, batch] of batches.entries()) {
    await Promise.all(batch.map((s) => limit(() => runTaskList(s, tasksFor(s, step.tasks, here), run))));
    const failedHere = batch.filter((s) => !s.live);
    if (step.serial && failedHere.length && i < batches.length - 1) {
      const rest = batches.slice(i + 1).flat();
      stopAll(rest, `${step.name}: roll stopped after ${failedHere.map((s) => s.name).join(", ")} failed`);
      break;
    }
  }
  // A failed `once` task fails the play for the whole group.
  for (const [task, host] of placed) {
    if (host && !host.live) stopAll(sessions.filter((s) => s.live), `${task.name} (run once, on ${host.name}) failed: ${host.summary.error ?? "see its report"}`);
  }
}

function onceHostMissing(task: Task, first: HostSession): string {
  const named = task.once?.host?.(first.ctx.vars);
  return named ? `its host ${named} is not in this run, unreachable or failed` : "no host left to run it on";
}

function stopAll(sessions: HostSession[], reason: string): void {
  for (const s of sessions) s.stop(reason, false);
}

function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += Math.max(1, size)) out.push(list.slice(i, i + Math.max(1, size)));
  return out;
}
