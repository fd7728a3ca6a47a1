import { RemoteCommandError } from "../errors.js";
import type { Action } from "../plan/actions.js";
import type { TaskContext } from "../plan/types.js";

// Runs a plan's actions in order on the task's host; the first failure stops the rest.
export async function runActions(ctx: TaskContext, actions: Action[]): Promise<void> {
  for (const a of actions) await runAction(ctx, a);
}

async function runAction(ctx: TaskContext, a: Action): Promise<void> {
  switch (a.kind) {
    case "exec": {
      const r = await ctx.t.exec(a.command, {
        ...(a.stdin !== undefined ? { stdin: a.stdin } : {}),
        ...(a.timeoutMs ? { timeoutMs: a.timeoutMs } : {}),
      });
      if (r.code !== 0) throw new RemoteCommandError(ctx.host.name, a.what ?? a.command, r.code, r.stderr || r.stdout);
      return;
    }
    case "write":
      return ctx.t.writeFile(a.file.path, a.file.content, { mode: a.file.mode, owner: a.file.owner, group: a.file.group });
    case "keystone":
      await ctx.keystone.call(a.method, a.path, a.body);
      return;
    case "call":
      return a.run();
  }
}
