import { redactor } from "../secrets/redactor.js";

// Unified diff between what is on the host and what will be written, with every secret masked. The diff
// library is loaded only when a file really differs: converged runs never pay for it.
export async function fileDiff(path: string, before: string | undefined, after: string): Promise<string> {
  const { createTwoFilesPatch } = await import("diff");
  const patch = createTwoFilesPatch(before === undefined ? "/dev/null" : path, path, before ?? "", after, "", "", { context: 3 });
  // The first line of createTwoFilesPatch is an Index/separator header operators do not need.
  return redactor.redact(patch.split("\n").filter((l) => !l.startsWith("====") && !l.startsWith("Index:")).join("\n"));
}

// A short before → after line for non-file state (service, package, endpoint URL).
export function valueDiff(what: string, before: string | undefined, after: string): string {
  return redactor.redact(`${what}: ${before ?? "(absent)"} → ${after}`);
}
