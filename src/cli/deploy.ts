import { selectHosts } from "../apply/select.js";
import type { PlayEvents } from "../report/events.js";
import { deploy, findPlaybook, requireVars, withDatabaseHost } from "../core/deploy.js";
import { UsageError } from "../errors.js";
import { loadInventory } from "../inventory/load.js";
import { junitXml } from "../report/junit.js";
import { plainReporter } from "../report/plain.js";
import { detailedExitCode, playExitCode, recapLines } from "../report/recap.js";
import type { PlayReport } from "../report/types.js";
import { redactor } from "../secrets/redactor.js";
import { writeJsonDocument } from "./jsonOutput.js";
import { checkReportPath, writeReportFile } from "./reportFile.js";
import { handleInterrupts } from "./signals.js";
import { checkTags } from "./tags.js";

interface DeployFlags {
  inventory: string;
  playbook: string;
  check?: boolean;
  diff?: boolean;
  tags?: string[];
  skipTags?: string[];
  limit?: string[];
  concurrency: number;
  json?: boolean;
  junit?: string;
  detailedExitcode?: boolean;
  verbose?: boolean;
}

// `deploy` and `verify`: check everything the operator gave before connecting, choose the output style, run,
// print the report, map the result to an exit code.
export async function deployCommand(flags: DeployFlags): Promise<number> {
  // With --json, stdout carries the report alone.
  const out = (line: string) => (flags.json ? process.stderr : process.stdout).write(redactor.redact(line) + "\n");
  const err = (line: string) => process.stderr.write(redactor.redact(line) + "\n");
  const check = flags.check ?? false;
  if (flags.detailedExitcode && !check) throw new UsageError("--detailed-exitcode needs --check (it tells whether changes are pending)");
  const playbook = await findPlaybook(flags.playbook);
  checkTags(playbook, "--tags", flags.tags);
  checkTags(playbook, "--skip-tags", flags.skipTags);
  const inventory = loadInventory(flags.inventory, { requireGroup: playbook.group });
  inventory.warnings.forEach((w) => err(`warning: ${w}`));
  if (flags.verbose) inventory.notes?.forEach((n) => err(`note: ${n}`));
  // Everything that can be refused without a host is refused here, before a progress view starts.
  const selected = withDatabaseHost(inventory, playbook, selectHosts(inventory, playbook.group, flags.limit));
  requireVars(inventory, selected, playbook);
  if (flags.junit) checkReportPath("--junit", flags.junit);

  const tty = !flags.json && process.stdout.isTTY && !process.env.CI;
  let events: PlayEvents;
  let progressDone: Promise<unknown> = Promise.resolve();
  if (tty) {
    const { listrProgress } = await import("../report/progress.js");
    const progress = listrProgress(selected.map((h) => h.name), check);
    events = progress.events;
    progressDone = progress.done;
  } else {
    events = plainReporter(flags.json ? err : out, { check, verbose: flags.verbose ?? false });
  }

  // The handlers stay until the report is out: a signal while it is written cannot cut it short.
  const abort = new AbortController();
  const release = handleInterrupts(abort, err, flags.json ?? false);
  try {
    const report = await deploy({
      inventory,
      playbook,
      check,
      concurrency: flags.concurrency,
      events,
      signal: abort.signal,
      ...(flags.tags ? { tags: flags.tags } : {}),
      ...(flags.skipTags ? { skipTags: flags.skipTags } : {}),
      ...(flags.limit ? { limit: flags.limit } : {}),
    });
    await progressDone;
    printReport(report, flags, out, err);
    if (abort.signal.aborted) return Math.max(playExitCode(report), 2);
    return flags.detailedExitcode ? detailedExitCode(report) : playExitCode(report);
  } finally {
    release();
  }
}

// Diffs, JUnit, recap, JSON: in this order, so the JSON document is the last thing and stdout holds it alone.
function printReport(report: PlayReport, flags: DeployFlags, out: (line: string) => void, err: (line: string) => void): void {
  const check = report.check;
  if (flags.diff) {
    // Each change: its diff, then exactly what it runs (or would run, in check mode) on the host.
    const verb = check ? "would run" : "ran";
    for (const t of report.tasks) {
      if (!t.diff && !t.actions?.length) continue;
      const actions = (t.actions ?? []).map((a) => `  ${verb}: ${a.replaceAll("\n", "\n  ")}`);
      out([`--- ${t.host}: ${t.name}`, ...(t.diff ? [t.diff.trimEnd()] : []), ...actions].join("\n"));
    }
  }
  if (flags.junit) writeReportFile("--junit", flags.junit, junitXml(report), err);
  // The recap always reaches the terminal (stderr with --json), so a failing host's one line is seen there too.
  recapLines(report).forEach(out);
  if (flags.json) writeJsonDocument(report);
}
