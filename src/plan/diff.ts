import { createTwoFilesPatch } from "diff";
import { redactor } from "../secrets/redactor.js";

// Unified diff between what is on the host and what will be written, with every secret masked.
export function fileDiff(path: string, before: string | undefined, after: string): string {
  const patch = createTwoFilesPatch(before === undefined ? "/dev/null" : path, path, before ?? "", after, "", "", { context: 3 });
  // The first line of createTwoFilesPatch is an Index/separator header operators do not need.
  return redactor.redact(patch.split("\n").filter((l) => !l.startsWith("====") && !l.startsWith("Index:")).join("\n"));
}

// A short before → after line for non-file state (service, package, endpoint URL).
export function valueDiff(what: string, before: string | undefined, after: string): string {
  return redactor.redact(`${what}: ${before ?? "(absent)"} → ${after}`);
}
