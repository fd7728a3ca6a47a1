import { Listr } from "listr2";
import type { PlayEvents } from "./events.js";
import type { HostSummary } from "./types.js";

// Live progress on a TTY: one listr2 line per host showing the task in flight, settled by the play's events.
export function listrProgress(hosts: string[], check: boolean): { events: PlayEvents; done: Promise<unknown> } {
  const titles = new Map<string, (title: string) => void>();
  // The task in flight on each host; a transfer's progress is shown after it.
  const current = new Map<string, string>();
  const finish = new Map<string, (summary: HostSummary) => void>();
  const ready = new Map<string, Promise<HostSummary>>();
  for (const host of hosts) ready.set(host, new Promise((resolve) => finish.set(host, resolve)));
  const list = new Listr(
    hosts.map((host) => ({
      title: host,
      task: async (_ctx: unknown, task: { title: string }) => {
        titles.set(host, (title) => (task.title = `${host}: ${title}`));
        const s = await ready.get(host)!;
        task.title = `${host}: ok=${s.ok} ${check ? "would change" : "changed"}=${s.changed} failed=${s.failed} skipped=${s.skipped}`;
        if (s.unreachable || s.failed || s.error) throw new Error(`${host}: ${s.error ?? "failed"}`);
      },
    })),
    { concurrent: true, exitOnError: false, rendererOptions: { collapseErrors: false } },
  );
  const done = list.run().catch(() => undefined);
  return {
    done,
    events: {
      taskStart: (host, name) => {
        current.set(host, name);
        titles.get(host)?.(name);
      },
      progress: (host, text) => titles.get(host)?.(`${current.get(host) ?? ""} — ${text}`),
      notice: (host, message) => titles.get(host)?.(message),
      hostEnd: (host, summary) => finish.get(host)?.(summary),
    },
  };
}
