import { execa, type Options } from "execa";
import { LabError } from "./errors.js";

// One way to run a local command: output captured, and a failure becomes a LabError carrying stderr's tail.

export interface RunResult {
  stdout: string;
  stderr: string;
}

// Runs to completion; rejects with what the command said so the operator sees the real cause.
export async function run(file: string, args: readonly string[], options: Options = {}): Promise<RunResult> {
  const result = await execa(file, args, { reject: false, stdin: "ignore", ...options, encoding: "utf8" });
  if (result.failed) {
    const err = String(result.stderr ?? "").trim() || String(result.stdout ?? "").trim();
    const tail = err.split("\n").slice(-8).join("\n");
    const why = result.exitCode !== undefined ? `exited ${result.exitCode}` : (result.shortMessage ?? "failed");
    throw new LabError(`${file} ${args.slice(0, 3).join(" ")}${args.length > 3 ? " …" : ""} ${why}${tail ? ":\n" + tail : ""}`);
  }
  return { stdout: String(result.stdout ?? ""), stderr: String(result.stderr ?? "") };
}

// Same, but a non-zero exit is an answer rather than an error (probes like "is this mounted?").
export async function probe(file: string, args: readonly string[], options: Options = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const result = await execa(file, args, { reject: false, stdin: "ignore", ...options, encoding: "utf8" });
  return { code: result.exitCode ?? -1, stdout: String(result.stdout ?? ""), stderr: String(result.stderr ?? "") };
}
