import type { PlayReport } from "./types.js";

// JUnit XML so CI systems show each task of each host as a test case.
export function junitXml(report: PlayReport): string {
  const esc = (s: string) =>
    s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!)
      // XML 1.0 forbids most control characters even when escaped.
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
  const suites = Object.entries(report.hosts).map(([host, h]) => {
    const tasks = report.tasks.filter((t) => t.host === host);
    const cases = tasks.map((t) => {
      const time = (t.durationMs / 1000).toFixed(3);
      const body =
        t.status === "failed"
          ? `<failure message="${esc(t.error ?? "failed")}"/>`
          : t.status === "skipped"
            ? "<skipped/>"
            : t.diff
              ? `<system-out>${esc(t.diff)}</system-out>`
              : "";
      return `    <testcase classname="${esc(report.playbook)}.${esc(host)}" name="${esc(t.name)}" time="${time}">${body}</testcase>`;
    });
    if (h.unreachable || (h.error && !tasks.some((t) => t.status === "failed"))) {
      cases.push(`    <testcase classname="${esc(report.playbook)}.${esc(host)}" name="host" time="0"><error message="${esc(h.error ?? "unreachable")}"/></testcase>`);
    }
    const failures = tasks.filter((t) => t.status === "failed").length;
    const errors = cases.length - tasks.length;
    return `  <testsuite name="${esc(host)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${h.skipped}">\n${cases.join("\n")}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${esc(report.playbook)}" time="${(report.durationMs / 1000).toFixed(3)}">\n${suites.join("\n")}\n</testsuites>\n`;
}
