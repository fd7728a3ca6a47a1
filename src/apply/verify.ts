import pLimit from "p-limit";
import type { Verification } from "../plan/types.js";
import { failed, messageOf, result } from "../report/results.js";
import type { HostSession } from "./session.js";

// After the play: each host proves its own service, then the first host proves the group's (e.g. an upload
// through the catalogue), in the same report line. It never changes the desired state: ok or failed.
export async function runVerification(verify: Verification, sessions: HostSession[], run: { concurrency: number }): Promise<void> {
  const playChanged = sessions.some((s) => s.ctx?.changed.length);
  const limit = pLimit(Math.max(1, run.concurrency));
  const live = sessions.filter((s) => s.live);
  const begin = Date.now();
  const own = await Promise.all(live.map((s) => limit(() => settle(() => verify.run(s.ctx, playChanged)))));
  const first = live.findIndex((_, i) => own[i]!.ok);
  const group = first >= 0 && verify.once ? await settle(() => verify.once!(live[first]!.ctx, playChanged)) : undefined;
  live.forEach((s, i) => {
    const outcomes = [own[i]!, ...(i === first && group ? [group] : [])];
    const error = outcomes.find((o) => !o.ok)?.error;
    if (error !== undefined) {
      s.record(failed(s.name, verify.name, verify.tags, begin, error));
      s.stop(`${verify.name}: ${messageOf(error)}`, false);
      return;
    }
    const said = outcomes.map((o) => o.said).filter(Boolean).join("; ");
    s.record({ ...result(s.name, verify.name, verify.tags, "ok", begin), ...(said ? { summary: said } : {}) });
  });
}

type Outcome = { ok: true; said?: string } | { ok: false; error: unknown; said?: undefined };

async function settle(work: () => Promise<string | void>): Promise<Outcome> {
  try {
    const said = await work();
    return said ? { ok: true, said } : { ok: true };
  } catch (error) {
    return { ok: false, error };
  }
}
