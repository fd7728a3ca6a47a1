import type { PlayReport, TaskResult } from "./types.js";

// The exit code of a finished play: a failed task outranks an unreachable host (both are reported). A task
// that failed because its host's connection was lost counts as unreachable, not as a task failure.
export function playExitCode(report: PlayReport): 0 | 2 | 4 {
  const hosts = Object.values(report.hosts);
  if (hosts.some((h) => !h.unreachable && (h.failed > 0 || h.error))) return 2;
  if (hosts.some((h) => h.unreachable)) return 4;
  return 0;
}

// `deploy --check --detailed-exitcode`, for drift detection: 3 when the checks ran clean and something would
// change (a task or an owed restart), 0 when nothing would; a failure keeps its own code.
export function detailedExitCode(report: PlayReport): 0 | 2 | 3 | 4 {
  const code = playExitCode(report);
  if (code !== 0) return code;
  return report.tasks.some((t) => t.status === "changed") || Object.values(report.hosts).some((h) => h.changed > 0) ? 3 : 0;
}

// One line per host, as operators know it from other tools' recaps.
export function recapLines(report: PlayReport): string[] {
  const verb = report.check ? "would change" : "changed";
  const lines = Object.entries(report.hosts).map(([name, h]) => {
    const state = h.unreachable ? "UNREACHABLE" : h.failed || h.error ? "FAILED" : "ok";
    const counts = `ok=${h.ok} ${verb}=${h.changed} failed=${h.failed} skipped=${h.skipped}`;
    return `${name.padEnd(16)} ${state.padEnd(11)} ${counts}${h.error ? `  (${h.error})` : ""}`;
  });
  lines.push(`${report.playbook}${report.check ? " (check mode)" : ""} finished in ${(report.durationMs / 1000).toFixed(2)} s`);
  return lines;
}

// A task's line for the plain log: status, host, name and the change or error in brief.
export function taskLine(r: TaskResult, check: boolean): string {
  const status = r.status === "changed" && check ? "would change" : r.status;
  const detail = r.error ?? r.summary;
  return `${status.padEnd(12)} ${r.host}: ${r.name}${detail ? ` — ${detail}` : ""} (${r.durationMs} ms)`;
}
