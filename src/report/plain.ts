import type { PlayEvents } from "./events.js";
import { taskLine } from "./recap.js";

// Timestamped lines for logs and CI (no TTY, or CI set); written to the stream the caller chooses.
export function plainReporter(write: (line: string) => void, options: { check: boolean; verbose: boolean }): PlayEvents {
  const stamp = () => new Date().toISOString().slice(11, 23);
  return {
    hostStart: (host) => write(`${stamp()} ${host}: connecting`),
    taskStart: (host, task) => options.verbose && write(`${stamp()} ${host}: ${task} …`),
    taskEnd: (r) => write(`${stamp()} ${taskLine(r, options.check)}`),
    log: (host, message) => options.verbose && write(`${stamp()} ${host}: ${message}`),
    notice: (host, message) => write(`${stamp()} ${host}: ${message}`),
  };
}
