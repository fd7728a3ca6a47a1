import { UnreachableError } from "../errors.js";
import type { Preflight } from "../plan/types.js";
import { failed, messageOf } from "../report/results.js";
import type { HostSession } from "../apply/session.js";

// Preflight checks are independent reads: run them together; report failures in the playbook's order. A
// failure stops the host before any change, with the first failure as its one line.
export async function runPreflight(s: HostSession, checks: Preflight[]): Promise<void> {
  const begin = Date.now();
  const outcomes = await Promise.allSettled(checks.map((check) => check.run(s.ctx)));
  const rejected = checks.flatMap((check, i) => {
    const o = outcomes[i]!;
    return o.status === "rejected" ? [{ check, reason: o.reason as unknown }] : [];
  });
  const unreachable = rejected.find((r) => r.reason instanceof UnreachableError);
  if (unreachable) throw unreachable.reason;
  for (const r of rejected) s.record(failed(s.name, `preflight: ${r.check.name}`, ["preflight"], begin, r.reason));
  if (rejected.length) return s.stop(`preflight failed: ${messageOf(rejected[0]!.reason)}`, false);
  if (checks.length) s.ctx.log(`preflight passed (${Date.now() - begin} ms)`);
}
