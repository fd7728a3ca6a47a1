import { readFileSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { exitCodeFor, ExitCode, DeployError } from "../errors.js";
import { redactor } from "../secrets/redactor.js";
import { errorDocument, jsonRequested, resetJsonDocument, writeJsonDocument } from "./jsonOutput.js";
import { labCommand } from "./lab.js";

// Version from package.json without importing anything heavy.
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

function list(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(",").map((s) => s.trim()).filter(Boolean)];
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive integer");
  return n;
}

// Builds the command tree; actions import their implementation lazily.
export function program(): Command {
  const root = new Command("glance-deploy")
    .description("Deploy the OpenStack Image service (Glance) to controller hosts over SSH, idempotently.")
    .version(version())
    .showHelpAfterError()
    // `lab ssh HOST CMD -x` hands -x to the remote command.
    .enablePositionalOptions()
    .exitOverride();

  root
    .command("deploy")
    .description("run a playbook against the inventory's hosts")
    .requiredOption("-i, --inventory <file>", "inventory YAML file")
    .option("-p, --playbook <name>", "site | mariadb | memcached | keystone | glance | verify", "glance")
    .option("-C, --check", "run every check, change nothing, report what would change")
    .option("-D, --diff", "print unified diffs of changes (secrets masked)")
    .option("-t, --tags <tags>", "only tasks with one of these tags (comma separated)", list)
    .option("--skip-tags <tags>", "skip tasks with one of these tags (comma separated)", list)
    .option("-l, --limit <hosts>", "only these hosts or groups (comma separated)", list)
    .addOption(new Option("-c, --concurrency <n>", "hosts in parallel").default(10).argParser(positiveInt))
    .option("--json", "print one JSON report on stdout (progress goes to stderr)")
    .option("--junit <file>", "also write a JUnit XML report")
    .option("--detailed-exitcode", "with --check: exit 3 when changes are pending, 0 when none")
    .option("-v, --verbose", "log every step, and the inventory's notes")
    .action(async (opts) => {
      const { deployCommand } = await import("./deploy.js");
      root.setOptionValue("exit", await deployCommand(opts));
    });

  root
    .command("verify")
    .description("check that Glance answers and can store an image (uploads, checks, deletes a test image)")
    .requiredOption("-i, --inventory <file>", "inventory YAML file")
    .option("-l, --limit <hosts>", "only these hosts or groups (comma separated)", list)
    .option("--json", "print one JSON report on stdout")
    .option("--junit <file>", "also write a JUnit XML report")
    .option("-v, --verbose", "log every step")
    .action(async (opts) => {
      const { deployCommand } = await import("./deploy.js");
      root.setOptionValue("exit", await deployCommand({ ...opts, playbook: "verify", concurrency: 10 }));
    });

  root
    .command("render")
    .description("write the configuration files deploy would write, offline (no connection at all)")
    .requiredOption("-i, --inventory <file>", "inventory YAML file")
    .requiredOption("-o, --out <dir>", "output directory (one sub-directory per host)")
    .option("-l, --limit <hosts>", "only these hosts or groups (comma separated)", list)
    .option("--placeholders", "write each secret as __VARIABLE__ instead of reading it (review without the secrets)")
    .action(async (opts) => {
      const { renderCommand } = await import("./render.js");
      root.setOptionValue("exit", await renderCommand(opts));
    });

  root.addCommand(labCommand());
  return root;
}

// Runs the CLI and returns the exit code; every error becomes one redacted line on stderr and, under --json,
// an error document on stdout. `root` is the command tree (tests hand in one whose action fails).
export async function main(argv: string[], root: Command = program()): Promise<number> {
  const json = jsonRequested(argv);
  resetJsonDocument();
  try {
    await root.parseAsync(argv);
    // `lab ssh` reports the remote command's status through process.exitCode.
    return (root.getOptionValue("exit") as number | undefined) ?? (process.exitCode as number | undefined) ?? ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") return ExitCode.ok;
      // Commander has printed its own line on stderr already.
      if (json) writeJsonDocument(errorDocument(ExitCode.usage, error.message.replace(/^error: /, "")));
      return ExitCode.usage;
    }
    const code = exitCodeFor(error);
    const known = error instanceof DeployError;
    const message = known ? error.message : `internal error: ${(error as Error)?.stack ?? String(error)}`;
    process.stderr.write(`glance-deploy: ${redactor.redact(message)}\n`);
    // The document carries the first line only: a stack belongs on the terminal, not in a report.
    if (json) writeJsonDocument(errorDocument(code, known ? message : `internal error: ${(error as Error)?.message ?? String(error)}`));
    return code;
  }
}
