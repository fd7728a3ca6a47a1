import type { PlayEvents } from "./events.js";
import { taskLine } from "./recap.js";

// Timestamped lines for logs and CI (no TTY, or CI set); written to the stream the caller chooses.
// Transfer progress is thinned to one line per host every `progressEveryMs`: enough to see a long upload move.
export function plainReporter(write: (line: string) => void, options: { check: boolean; verbose: boolean; progressEveryMs?: number }): PlayEvents {
  const stamp = () => new Date().toISOString().slice(11, 23);
  const every = options.progressEveryMs ?? 5000;
  const lastProgress = new Map<string, number>();
  return {
    hostStart: (host) => write(`${stamp()} ${host}: connecting`),
    taskStart: (host, task) => options.verbose && write(`${stamp()} ${host}: ${task} …`),
    taskEnd: (r) => write(`${stamp()} ${taskLine(r, options.check)}`),
    log: (host, message) => options.verbose && write(`${stamp()} ${host}: ${message}`),
    progress: (host, text) => {
      const now = Date.now();
      if (now - (lastProgress.get(host) ?? -Infinity) < every) return;
      lastProgress.set(host, now);
      write(`${stamp()} ${host}: ${text}`);
    },
    notice: (host, message) => write(`${stamp()} ${host}: ${message}`),
  };
}
