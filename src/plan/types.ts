import type { FactSpec, FactStore } from "../facts/batch.js";
import type { InventoryHost } from "../inventory/load.js";
import type { HostVars } from "../inventory/vars.js";
import type { Transport } from "../transport/types.js";

// What a task's check decides: nothing to do, or a change described for humans plus the closure that makes it.
export type Plan =
  | { change: false }
  | {
      change: true;
      // One line for the report ("create database glance").
      summary: string;
      // Unified diff or before/after text, already free of secrets or passed through the redactor.
      diff?: string;
      apply: () => Promise<void>;
    };

export interface TaskContext {
  host: InventoryHost;
  vars: HostVars;
  t: Transport;
  facts: FactStore;
  check: boolean;
  // Per-host scratch space shared by the tasks of one play (e.g. a Keystone token, a SQL connection).
  shared: Map<string, unknown>;
  // Names of the tasks that changed something on this host so far in this play (would-change in check mode).
  changed: string[];
  // True when a handler is pending on this host (so a task can leave a start to the coming restart).
  notified(handler: string): boolean;
  // Verbose-only progress line.
  log(message: string): void;
}

// An idempotent unit: check reads state and decides; apply (inside the plan) changes it. Never both in one.
export interface Task {
  name: string;
  tags: string[];
  // Handlers to run at the end of the play when this task changed something.
  notify?: string[];
  // Facts read in the play's one batched probe instead of one exec each.
  facts?: (vars: HostVars) => FactSpec<unknown>[];
  // Starts the task's remote reads (e.g. REST lookups) early, all tasks at once, so checks find them done.
  // Errors are ignored here: the check repeats the read and reports.
  prefetch?: (ctx: TaskContext) => Promise<unknown>;
  // Skip the task for this host (reported as skipped).
  when?: (ctx: TaskContext) => boolean;
  // Runs these handlers here if they are pending (e.g. restart MariaDB before others connect to it);
  // handlers of later steps stay pending until their own flush point or the end of the play.
  flushHandlers?: string[];
  // Set by `concurrently`: the task runs in lane `index` of `group`, alongside the group's other lanes.
  lane?: { group: string; index: number };
  // Files the task writes, computed offline from variables: `render` shows exactly what deploy writes.
  render?: (vars: HostVars) => RenderedFile[];
  check(ctx: TaskContext): Promise<Plan>;
}

export interface RenderedFile {
  path: string;
  content: string;
  mode: number;
  owner: string;
  group: string;
}

export interface Handler {
  name: string;
  run(ctx: TaskContext): Promise<void>;
}

// Run once before any task touches a host; a failure stops the host with a one-line message and a fix.
export interface Preflight {
  name: string;
  // Facts the check reads, gathered in the play's one probe.
  facts?: (vars: HostVars) => FactSpec<unknown>[];
  run(ctx: TaskContext): Promise<void>;
}

export interface Playbook {
  name: string;
  // Inventory group the play runs on.
  group: string;
  // Variables that must be set for this playbook (checked before connecting).
  requires?: (keyof HostVars)[];
  preflight?: Preflight[];
  tasks: Task[];
  handlers?: Handler[];
  // Resources to release after the play (tunnels, SQL connections kept in ctx.shared).
  cleanup?: (ctx: TaskContext) => Promise<void>;
}

export const noChange: Plan = { change: false };

// A step that runs the named handlers now if they are pending (Ansible's flush_handlers, but scoped).
export function flushHandlers(name: string, handlers: string[]): Task {
  return { name, tags: ["always"], flushHandlers: handlers, check: async () => noChange };
}

// Lanes of tasks that do not depend on each other (e.g. database and Keystone work while apt installs): the
// lanes run at the same time, each in its own order, and the play goes on when every lane is done. The tasks
// stay a flat list, so tags, facts, render and reports see them as usual.
export function concurrently(group: string, ...lanes: Task[][]): Task[] {
  return lanes.flatMap((lane, index) => lane.map((task) => ({ ...task, lane: { group, index } })));
}
