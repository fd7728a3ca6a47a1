import type { FactSpec, FactStore } from "../facts/batch.js";
import type { Keystone } from "../http/keystone.js";
import type { InventoryHost } from "../inventory/load.js";
import type { HostVars } from "../inventory/vars.js";
import type { ReleaseProfile } from "../profiles/index.js";
import type { MariadbAdmin } from "../tasks/mysql.js";
import type { Transport } from "../transport/types.js";
import type { Action } from "./actions.js";

export type { Action } from "./actions.js";

// What a task's check decides: nothing to do, or a change described for humans and as data: the actions the
// engine will run (commands, file writes, Keystone requests), which check mode lists instead of running.
export type Plan =
  | { change: false }
  | {
      change: true;
      // One line for the report ("create database glance").
      summary: string;
      // Unified diff or before/after text, already free of secrets or passed through the redactor.
      diff?: string;
      actions: Action[];
    };

// The hosts a play runs on, in inventory order: what a task needs to know of its peers (names, addresses,
// variables), e.g. to list every controller in a config file.
export interface GroupView {
  name: string;
  hosts: readonly InventoryHost[];
}

export interface TaskContext {
  host: InventoryHost;
  vars: HostVars;
  t: Transport;
  facts: FactStore;
  check: boolean;
  // The play's group (this host included).
  group: GroupView;
  // What this host runs: package names, paths and unit names of its Debian release.
  profile: ReleaseProfile;
  // Keystone's admin API through this host's tunnel, built once per host per play.
  readonly keystone: Keystone;
  // MariaDB's admin client on this host (database tasks run `once`, on the database host).
  readonly mariadb: MariadbAdmin;
  // Names of the tasks that changed something on this host so far in this play (would-change in check mode),
  // `once` tasks of the group included: their changes are visible to every host's later steps.
  changed: string[];
  // True when a handler is pending on this host (so a task can leave a start to the coming restart).
  notified(handler: string): boolean;
  // Verbose-only progress line.
  log(message: string): void;
  // Progress of a long transfer (bytes, rate, time left): redrawn on a terminal, every few seconds in a log.
  progress?(text: string): void;
}

// Where a task runs: on every host of the group (default), or once for the group.
export interface RunOnce {
  // The inventory host to run on (e.g. the database host); undefined: the first host still in the play.
  host?: (vars: HostVars) => string | undefined;
}

// An idempotent unit: check reads state and decides; the engine runs the plan's actions. Never both in one.
export interface Task {
  name: string;
  tags: string[];
  // Handlers to run at the end of the play when this task changed something.
  notify?: string[];
  // Set: the task runs on one host for the whole group (records in Keystone, databases, schema sync).
  once?: RunOnce;
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

// A step of a play: every host still in the play finishes it before any host starts the next (a barrier).
export interface Step {
  name: string;
  tasks: Task[];
  // Hosts at a time through this step (a rolling change); a failing host stops the roll. Default: all at once.
  serial?: number;
}

// A check after the play (handlers included), never in check mode: it proves the result and changes nothing.
export interface Verification {
  name: string;
  tags: string[];
  // Starts the check's reads when the host's session opens (never in check mode); the check may use them if
  // nothing changed since.
  prefetch?(ctx: TaskContext): void;
  // Per host; `playChanged` tells whether anything changed anywhere in the play.
  run(ctx: TaskContext, playChanged: boolean): Promise<string | void>;
  // Once for the group, on the first host still in the play, after every host's own check passed.
  once?(ctx: TaskContext, playChanged: boolean): Promise<string | void>;
}

export interface Playbook {
  name: string;
  // Inventory group the play runs on.
  group: string;
  // Variables that must be set for this playbook (checked before connecting).
  requires?: (keyof HostVars)[];
  preflight?: Preflight[];
  // The play's steps, with barriers between them; a play without steps is one step of `tasks`.
  steps?: Step[];
  tasks?: Task[];
  handlers?: Handler[];
  verify?: Verification;
}

export const noChange: Plan = { change: false };

// The play's steps; a plain task list is one step.
export function stepsOf(playbook: Playbook): Step[] {
  return playbook.steps ?? [{ name: playbook.name, tasks: playbook.tasks ?? [] }];
}

// Every task of the play in order (render, tags, reports).
export function tasksOf(playbook: Playbook): Task[] {
  return stepsOf(playbook).flatMap((s) => s.tasks);
}

// Tasks that run once for the group.
export function once(tasks: Task[], host?: RunOnce["host"]): Task[] {
  return tasks.map((task) => ({ ...task, once: host ? { host } : {} }));
}

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
