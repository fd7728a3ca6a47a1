import pLimit from "p-limit";
import type { Verification } from "../plan/types.js";
import { failed, result } from "../report/results.js";
import type { HostSession } from "./session.js";

// After the play: each host proves its own service, then one host proves the group's (e.g. an upload through
// the catalogue). Reported like a task; it never changes the desired state, so it counts as ok or failed.
export async function runVerification(verify: Verification, sessions: HostSession[], run: { concurrency: number }): Promise<void> {
  const playChanged = sessions.some((s) => s.ctx?.changed.length);
  const limit = pLimit(Math.max(1, run.concurrency));
  await Promise.all(sessions.filter((s) => s.live).map((s) => limit(() => check(s, verify, () => verify.run(s.ctx, playChanged)))));
  const first = sessions.find((s) => s.live);
  if (first && verify.once) await check(first, { ...verify, name: `${verify.name} (group)` }, () => verify.once!(first.ctx, playChanged));
}

async function check(s: HostSession, verify: Pick<Verification, "name" | "tags">, work: () => Promise<string | void>): Promise<void> {
  const begin = Date.now();
  try {
    const said = await work();
    s.record({ ...result(s.name, verify.name, verify.tags, "ok", begin), ...(said ? { summary: said } : {}) });
  } catch (error) {
    s.record(failed(s.name, verify.name, verify.tags, begin, error));
    s.stop(`${verify.name}: ${(error as Error).message ?? error}`, false);
  }
}
