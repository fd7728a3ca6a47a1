import { closeSync, lstatSync, openSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { UsageError } from "../errors.js";

// A report file (--junit) is checked before anything connects, so a wrong path costs one line and exit 5,
// not a whole deploy. An open for writing is the only test that tells what permissions, read-only mounts
// and special file systems allow; a file that was not there before is removed again.
export function checkReportPath(flag: string, path: string): void {
  const dir = dirname(resolve(path));
  const fail = (why: string) => new UsageError(`${flag} ${path}: ${why}`);
  let dirStat;
  try {
    dirStat = statSync(dir);
  } catch (error) {
    const code = codeOf(error);
    throw fail(code === "ENOENT" ? `directory ${dir} does not exist` : `directory ${dir} cannot be used (${code})`);
  }
  if (!dirStat.isDirectory()) throw fail(`${dir} is not a directory`);
  let existed = true;
  try {
    if (lstatSync(path).isDirectory()) throw fail("is a directory");
  } catch (error) {
    if (error instanceof UsageError) throw error;
    existed = false;
  }
  try {
    closeSync(openSync(path, existed ? "a" : "wx", 0o644));
    if (!existed) unlinkSync(path);
  } catch (error) {
    throw fail(`cannot be written (${codeOf(error)})`);
  }
}

// Writes a report at the end of a run; a failure is one line and never replaces the run's own exit code.
export function writeReportFile(flag: string, path: string, content: string, say: (line: string) => void): boolean {
  try {
    writeFileSync(path, content);
    return true;
  } catch (error) {
    say(`glance-deploy: ${flag} ${path}: report not written (${codeOf(error)}); the exit code is the run's own`);
    return false;
  }
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? "error";
}
