import { UsageError } from "../errors.js";
import { closestName } from "../inventory/suggest.js";
import { tasksOf, type Playbook } from "../plan/types.js";

// Tags that are not a task's own but still select something: `always` (kept by any --tags), and the tags
// handler and preflight results carry in reports.
const builtInTags = ["always", "handler", "preflight"];

// The tags --tags and --skip-tags may name for this playbook: its tasks', its verification's, the built-in ones.
export function knownTags(playbook: Playbook): string[] {
  const own = [...tasksOf(playbook).flatMap((t) => t.tags), ...(playbook.verify?.tags ?? [])];
  return [...new Set([...own, ...builtInTags])].sort();
}

// A tag that selects nothing would turn `--tags glace` into a run that does nothing and says ok: refuse it.
export function checkTags(playbook: Playbook, flag: string, tags: readonly string[] | undefined): void {
  const known = knownTags(playbook);
  const unknown = (tags ?? []).filter((t) => !known.includes(t));
  if (unknown.length === 0) return;
  const near = unknown.length === 1 ? closestName(unknown[0]!, known) : undefined;
  throw new UsageError(
    `${flag}: unknown tag${unknown.length > 1 ? "s" : ""} ${unknown.map((t) => JSON.stringify(t)).join(", ")}` +
      `${near ? ` (did you mean ${near}?)` : ""}; playbook ${playbook.name} knows: ${known.join(", ")}`,
  );
}
