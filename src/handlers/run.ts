import { UnreachableError } from "../errors.js";
import type { Handler } from "../plan/types.js";
import type { PlayEvents } from "../report/events.js";
import { failed, messageOf } from "../report/results.js";
import type { HostSession } from "../apply/session.js";

export interface HandlerOptions {
  handlers: Handler[];
  events?: PlayEvents;
}

// What a host owes from an earlier run, said at the start of a play: the restarts this play will carry out
// (every deploy playbook knows every handler) and any it cannot (unknown names, a play without handlers).
export function owedNotice(owed: string[], handlers: Handler[], check: boolean): string | undefined {
  if (owed.length === 0) return undefined;
  const known = handlers.map((h) => h.name).filter((name) => owed.includes(name));
  const other = owed.filter((name) => !known.includes(name));
  const parts = [
    ...(known.length ? [`${known.join(", ")} (${check ? "would run in this play" : "to run in this play"})`] : []),
    ...(other.length ? [`${other.join(", ")} (${handlers.length ? "unknown to this version; kept" : "not run by this play; kept for the next deploy"})`] : []),
  ];
  return `owed from an earlier run: ${parts.join("; ")}`;
}

// Handlers run once each, in the playbook's order; each is forgotten on the host only after it succeeded.
// A handler pending on the host that the play does not know stays pending. False when one failed.
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
