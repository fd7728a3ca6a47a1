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
          ...(start && options.waitReady ? [call(`wait until ${unit} answers`, () => options.waitReady!(ctx))] : []),
        ],
      };
    },
  };
}

// A handler that restarts a unit and waits until it is ready; a failed start carries its journal.
export function restartHandler(name: string, unit: ServiceOptions["unit"], waitReady?: (ctx: TaskContext) => Promise<void>): Handler {
  return {
    name,
    async run(ctx) {
      await systemctl(ctx, "restart", unitOf(unit, ctx.vars));
      await waitReady?.(ctx);
    },
  };
}
