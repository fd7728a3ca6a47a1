import { UnreachableError } from "../errors.js";
import type { Handler } from "../plan/types.js";
import type { PlayEvents } from "../report/events.js";
import { failed, messageOf } from "../report/results.js";
import type { HostSession } from "../apply/session.js";

export interface HandlerOptions {
  handlers: Handler[];
  events?: PlayEvents;
}

// Handlers run once each, in the playbook's order; each is forgotten on the host only after it succeeded.
// Handlers of other playbooks found on the host stay pending for those playbooks. False when one failed.
export async function runHandlers(s: HostSession, options: HandlerOptions, only?: string[]): Promise<boolean> {
  const ctx = s.ctx;
  for (const handler of options.handlers) {
    if (!s.pending.has(handler.name) || (only && !only.includes(handler.name))) continue;
    const begin = Date.now();
    const name = `handler: ${handler.name}`;
    options.events?.taskStart?.(s.name, name);
    if (ctx.check) {
      await s.pending.done(handler.name);
      s.record({ host: s.name, name, tags: ["handler"], status: "changed", durationMs: 0, summary: `would run ${handler.name}` });
      continue;
    }
    try {
      await handler.run(ctx);
      // A restart is a change too: what was read before it (facts, API answers) is read again.
      ctx.changed.push(name);
      ctx.facts.invalidate();
      await s.pending.done(handler.name);
      s.record({ host: s.name, name, tags: ["handler"], status: "changed", durationMs: Date.now() - begin, summary: `ran ${handler.name}` });
    } catch (error) {
      s.record(failed(s.name, name, ["handler"], begin, error));
      s.stop(`${name}: ${messageOf(error)}`, error instanceof UnreachableError);
      return false;
    }
  }
  return true;
}
