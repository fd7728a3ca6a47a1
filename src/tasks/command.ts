import type { FactSpec } from "../facts/batch.js";
import { exec } from "../plan/actions.js";
import type { HostVars } from "../inventory/vars.js";
import { noChange, type Task, type TaskContext } from "../plan/types.js";

export interface CommandOptions<T> {
  name: string;
  tags: string[];
  notify?: string[];
  // Reads the state that decides whether the command is due; part of the batched probe.
  fact: FactSpec<T> | ((vars: HostVars) => FactSpec<T>);
  // Returns why the command must run, or undefined when the state is already right.
  needed: (state: T, ctx: TaskContext) => string | undefined;
  command: (ctx: TaskContext) => string;
  // Secrets for the command travel here, never in the command line.
  stdin?: (ctx: TaskContext) => string;
  timeoutMs?: number;
}

// A command that converges state (db_sync, fernet_setup, bootstrap) run only when its fact says so.
export function command<T>(options: CommandOptions<T>): Task {
  const fact = (vars: HostVars) => (typeof options.fact === "function" ? options.fact(vars) : options.fact);
  return {
    name: options.name,
    tags: options.tags,
    ...(options.notify ? { notify: options.notify } : {}),
    facts: (vars) => [fact(vars)],
    async check(ctx) {
      const reason = options.needed(await ctx.facts.get(fact(ctx.vars)), ctx);
      if (!reason) return noChange;
      return {
        change: true,
        summary: reason,
        actions: [
          exec(options.command(ctx), {
            what: options.name,
            ...(options.stdin ? { stdin: options.stdin(ctx) } : {}),
            ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
          }),
        ],
      };
    },
  };
}
