import { quote } from "shlex";
import type { HostVars } from "../inventory/vars.js";
import { serviceFact } from "../facts/services.js";
import { RemoteCommandError } from "../errors.js";
import { call } from "../plan/actions.js";
import { valueDiff } from "../plan/diff.js";
import { noChange, type Handler, type Task, type TaskContext } from "../plan/types.js";

// The last journal lines explain a failed start far better than systemctl's exit code.
export async function journalTail(ctx: TaskContext, unit: string, lines = 15): Promise<string> {
  const r = await ctx.t.exec(`journalctl -u ${quote(unit)} -n ${lines} --no-pager -o cat`);
  return r.stdout.trim();
}

// Runs a systemctl verb and fails with the unit's journal when it does not take.
export async function systemctl(ctx: TaskContext, verb: string, unit: string): Promise<void> {
  // A unit that crash-looped (say on a bad config now fixed) is refused with start-limit-hit until its
  // failed state is reset; starting is exactly what the caller asked for, so reset it first.
  if (verb === "start" || verb === "restart") await ctx.t.exec(`systemctl reset-failed ${quote(unit)}`);
  const r = await ctx.t.exec(`systemctl ${verb} ${quote(unit)}`);
  if (r.code !== 0) {
    const journal = await journalTail(ctx, unit);
    throw new RemoteCommandError(ctx.host.name, `systemctl ${verb} ${unit}`, r.code, `${r.stderr}\n${journal}`);
  }
}

// Whether the unit is running after `systemctl start/restart` said it started. systemctl returns as soon as a
// simple unit's process is forked, so one that exits on a bad setting (memcached on an address the host lacks)
// is "started" and dead a moment later. A unit with an HTTP readiness check must answer it and then be active; one
// without must stay active for a second and then answer on its port (MariaDB, memcached). A unit passing through
// a restart of its own (activating) is waited for up to service_start_timeout; failed or inactive fails at once,
// with the unit's journal.
export async function confirmRunning(ctx: TaskContext, verb: string, unit: string, waitReady?: (ctx: TaskContext) => Promise<void>): Promise<void> {
  const timeoutS = ctx.vars.service_start_timeout;
  if (waitReady) {
    let failure: unknown;
    await waitReady(ctx).catch((error: unknown) => (failure = error));
    // A unit that died says more than the readiness check's timeout.
    const state = await activeFor(ctx, unit, 1, failure === undefined ? timeoutS : 0);
    if (state !== "active") throw await notRunning(ctx, verb, unit, state);
    if (failure !== undefined) throw failure;
    return;
  }
  const state = await activeFor(ctx, unit, 5, timeoutS);
  if (state !== "active") throw await notRunning(ctx, verb, unit, state);
  await listenerCheck(ctx, unit)?.(ctx);
}

// "active" once the unit was found active at `looks` looks in a row 0.2 s apart, else the state it was found
// in: failed or inactive at once, anything else (activating, deactivating) after waitS seconds.
async function activeFor(ctx: TaskContext, unit: string, looks: number, waitS: number): Promise<string> {
  const r = await ctx.t.exec(watchActiveScript(unit, looks, waitS));
  return r.code === 0 ? "active" : r.stdout.trim() || `unknown (exit ${r.code})`;
}

export function watchActiveScript(unit: string, looks: number, waitS: number): string {
  return (
    `n=0; end=$(($(date +%s) + ${Math.ceil(waitS)})); while [ $n -lt ${looks} ]; do s=$(systemctl is-active ${quote(unit)}); ` +
    `case $s in active) n=$((n+1));; failed|inactive) echo "$s"; exit 3;; *) n=0; [ $(date +%s) -lt $end ] || { echo "$s"; exit 3; };; esac; ` +
    `[ $n -ge ${looks} ] || sleep 0.2; done; echo active`
  );
}

async function notRunning(ctx: TaskContext, verb: string, unit: string, state: string): Promise<Error> {
  const journal = await journalTail(ctx, unit, 10);
  return new Error(`${ctx.host.name}: systemctl ${verb} ${unit} returned, but ${unit} is ${state || "not active"}${journal ? `; journal of ${unit}: ${journal.split("\n").join(" | ")}` : ""}`);
}

// Services that answer on a TCP port of their own (MariaDB, memcached at management_address): the port must
// accept a connection, through the host's tunnel, within service_start_timeout.
function listenerCheck(ctx: TaskContext, unit: string): ((ctx: TaskContext) => Promise<void>) | undefined {
  const units = ctx.profile.units;
  const port = unit === units.mariadb ? ctx.vars.mysql_port : unit === units.memcached ? ctx.vars.memcached_port : undefined;
  if (port === undefined) return undefined;
  return (c) => waitTcp(c, c.vars.management_address, port, c.vars.service_start_timeout);
}

async function waitTcp(ctx: TaskContext, host: string, port: number, timeoutS: number): Promise<void> {
  const deadline = Date.now() + timeoutS * 1000;
  let delay = 50;
  for (;;) {
    try {
      const stream = await ctx.t.forward(host, port);
      stream.destroy();
      return;
    } catch (error) {
      if (Date.now() + delay > deadline) throw new Error(`${host}:${port} accepted no connection within ${timeoutS} s (${(error as Error).message})`);
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 1000);
  }
}

export interface ServiceOptions {
  name: string;
  tags: string[];
  // A unit name, or the release profile's for the host's variables.
  unit: string | ((vars: HostVars) => string);
  // Called after a start so the task only succeeds once the service really answers.
  waitReady?: (ctx: TaskContext) => Promise<void>;
  // When this restart handler is pending, starting is left to it: one (re)start, not two.
  restartedBy?: string;
}

const unitOf = (unit: ServiceOptions["unit"], v: HostVars) => (typeof unit === "function" ? unit(v) : unit);

// Unit enabled at boot and running now.
export function service(options: ServiceOptions): Task {
  return {
    name: options.name,
    tags: options.tags,
    facts: (v) => [serviceFact(unitOf(options.unit, v))],
    async check(ctx) {
      const unit = unitOf(options.unit, ctx.vars);
      const state = await ctx.facts.get(serviceFact(unit));
      const enable = state.enabled !== "enabled";
      const start = state.active !== "active" && !(options.restartedBy && ctx.notified(options.restartedBy));
      if (!enable && !start) return noChange;
      return {
        change: true,
        summary: [enable && `enable ${unit}`, start && `start ${unit}`].filter(Boolean).join(", "),
        diff: valueDiff(unit, `${state.enabled}/${state.active}`, "enabled/active"),
        actions: [
          ...(enable ? [call(`run: systemctl enable ${unit}`, () => systemctl(ctx, "enable", unit))] : []),
          ...(start ? [call(`run: systemctl reset-failed ${unit}; systemctl start ${unit}`, () => systemctl(ctx, "start", unit))] : []),
          ...(start ? [call(`check that ${unit} stays active and answers`, () => confirmRunning(ctx, "start", unit, options.waitReady))] : []),
        ],
      };
    },
  };
}

// A handler that restarts a unit and checks it runs and answers; a failed start carries its journal.
export function restartHandler(name: string, unit: ServiceOptions["unit"], waitReady?: (ctx: TaskContext) => Promise<void>): Handler {
  return {
    name,
    async run(ctx) {
      const u = unitOf(unit, ctx.vars);
      await systemctl(ctx, "restart", u);
      await confirmRunning(ctx, "restart", u, waitReady);
    },
  };
}
