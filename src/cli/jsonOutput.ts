import { oneLine } from "../report/text.js";
import { redactor } from "../secrets/redactor.js";

// `--json` promises exactly one JSON document on stdout whatever the exit: the play's report, or, when the
// run ends without one (bad usage, a bug, a second interrupt), an error document with the exit code.

let written = false;

export function writeJsonDocument(doc: unknown): void {
  if (written) return;
  written = true;
  process.stdout.write(JSON.stringify(redactor.redactValue(doc)) + "\n");
}

// A new command line starts with no document written (main may run more than once in one process).
export function resetJsonDocument(): void {
  written = false;
}

export function errorDocument(code: number, message: string): { version: 1; error: { code: number; message: string } } {
  return { version: 1, error: { code, message: redactor.redact(oneLine(message)) } };
}

// Whether the command line asks for JSON output, read before (and whether or not) commander accepts it, so
// even a refused option value gets its error document.
export function jsonRequested(argv: readonly string[]): boolean {
  const args = argv.slice(2);
  const end = args.indexOf("--");
  const own = end < 0 ? args : args.slice(0, end);
  const command = own.find((a) => !a.startsWith("-"));
  return (command === "deploy" || command === "verify") && own.includes("--json");
}
