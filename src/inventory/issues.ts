import type { z } from "zod";
import type { InventoryError } from "../errors.js";
import type { KeyPath, YamlSource } from "./yamlSource.js";

// Turns a zod issue into a located message that says what was expected, never echoing a value.
export function issueToError(source: YamlSource, base: KeyPath, issue: z.core.$ZodIssue): InventoryError {
  const path = [...base, ...(issue.path as KeyPath)];
  if (issue.code === "unrecognized_keys") return source.error(path, "unknown key", issue.keys[0]!);
  if (issue.code === "invalid_key") {
    // A bad key (host, group, section name): point at the key and say what a key must look like.
    const inner = issue.issues[0]?.message ?? "invalid name";
    return source.error(path.slice(0, -1), inner, String(path.at(-1)));
  }
  return source.error(path, describeIssue(issue));
}

// Short, value-free wording of what was expected.
function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return `expected ${{ record: "a mapping", object: "a mapping", array: "a list" }[issue.expected as string] ?? issue.expected}`;
    case "too_small":
    case "too_big":
      return issue.message.replace(/^Too (small|big): /, "").replace(/^expected /, "expected ");
    case "invalid_value":
      // A variable that takes one value only says why in its own message.
      return issue.message.startsWith("only ") ? issue.message : `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_union": {
      // The first alternative names the intended type (e.g. boolean before its string spellings).
      const first = issue.errors[0]?.[0];
      return first?.code === "invalid_type" ? `expected ${first.expected}` : "expected a valid value";
    }
    default:
      return issue.message.startsWith("Invalid") ? issue.message.replace(/: received .*/, "") : issue.message;
  }
}
