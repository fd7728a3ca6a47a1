import { writeFileSync } from "node:fs";
import type { PlayEvents } from "../report/events.js";
import { deploy, findPlaybook } from "../core/deploy.js";
import { loadInventory } from "../inventory/load.js";
import { junitXml } from "../report/junit.js";
import { plainReporter } from "../report/plain.js";
import { playExitCode, recapLines } from "../report/recap.js";
import type { PlayReport } from "../report/types.js";
import { redactor } from "../secrets/redactor.js";

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
  verbose?: boolean;
}

// `deploy` and `verify`: choose the output style, run, print the report, map the result to an exit code.
export async function deployCommand(flags: DeployFlags): Promise<number> {
  // With --json, stdout carries the report alone.
  const out = (line: string) => (flags.json ? process.stderr : process.stdout).write(redactor.redact(line) + "\n");
  const err = (line: string) => process.stderr.write(redactor.redact(line) + "\n");
  const playbook = await findPlaybook(flags.playbook);
  const inventory = loadInventory(flags.inventory, { requireGroup: playbook.group });
  inventory.warnings.forEach((w) => err(`warning: ${w}`));

  const check = flags.check ?? false;
  const tty = !flags.json && process.stdout.isTTY && !process.env.CI;
  let events: PlayEvents;
  let progressDone: Promise<unknown> = Promise.resolve();
  if (tty) {
    const { listrProgress } = await import("../report/progress.js");
    const hosts = (inventory.groups[playbook.group] ?? []).filter((h) => !flags.limit?.length || flags.limit.includes(h));
    const progress = listrProgress(hosts.length ? hosts : inventory.groups[playbook.group] ?? [], check);
    events = progress.events;
    progressDone = progress.done;
  } else {
    events = plainReporter(flags.json ? err : out, { check, verbose: flags.verbose ?? false });
  }

  // First Ctrl-C: finish the task in flight and report; a second one exits at once.
  const abort = new AbortController();
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(130);
    err("interrupted: finishing the current task, keeping pending handlers (Ctrl-C again to exit now)");
    abort.abort();
  };
  process.on("SIGINT", onSigint);
  let report: PlayReport;
  try {
    report = await deploy({
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
  } finally {
    process.off("SIGINT", onSigint);
  }
  await progressDone;

  if (flags.diff) {
    // Each change: its diff, then exactly what it runs (or would run, in check mode) on the host.
    const verb = check ? "would run" : "ran";
    for (const t of report.tasks) {
      if (!t.diff && !t.actions?.length) continue;
      const actions = (t.actions ?? []).map((a) => `  ${verb}: ${a.replaceAll("\n", "\n  ")}`);
      out([`--- ${t.host}: ${t.name}`, ...(t.diff ? [t.diff.trimEnd()] : []), ...actions].join("\n"));
    }
  }
  if (flags.junit) writeFileSync(flags.junit, junitXml(report));
  // The recap always reaches the terminal (stderr with --json), so a failing host's one line is seen there too.
  recapLines(report).forEach(out);
  if (flags.json) process.stdout.write(JSON.stringify(report) + "\n");
  if (abort.signal.aborted) return Math.max(playExitCode(report), 2);
  return playExitCode(report);
}
