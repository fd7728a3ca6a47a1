import { tunnelRequest } from "../http/tunnel.js";
import type { TaskContext } from "../plan/types.js";
import { journalTail } from "./service.js";

// Polls a URL through the tunnel with backoff (no fixed sleeps) until it answers with an accepted status;
// on timeout the unit's journal says why.
export async function waitHttp(ctx: TaskContext, url: string, options: { accept: number[]; timeoutS: number; unit?: string }): Promise<void> {
  const deadline = Date.now() + options.timeoutS * 1000;
  let delay = 50;
  let last = "no answer";
  for (;;) {
    try {
      const r = await tunnelRequest(ctx.t, url, { timeoutMs: 5000 });
      if (options.accept.includes(r.status)) return;
      last = `HTTP ${r.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() + delay > deadline) break;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 1000);
  }
  const journal = options.unit ? await journalTail(ctx, options.unit, 10) : "";
  throw new Error(`${url} did not answer within ${options.timeoutS} s (${last})${journal ? `; journal of ${options.unit}: ${journal.split("\n").join(" | ")}` : ""}`);
}
