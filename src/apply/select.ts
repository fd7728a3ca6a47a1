import { UsageError } from "../errors.js";
import type { Inventory, InventoryHost } from "../inventory/load.js";
import type { Task } from "../plan/types.js";

export interface Selection {
  tags?: string[];
  skipTags?: string[];
  limit?: string[];
}

// Tags select tasks: --tags keeps tasks carrying any of them (and `always`), --skip-tags drops them.
export function selectTasks(tasks: Task[], sel: Selection): Task[] {
  return tasks.filter((task) => isSelected(task.tags, sel));
}

export function isSelected(tags: string[], sel: Selection): boolean {
  if (sel.skipTags?.some((t) => tags.includes(t))) return false;
  if (!sel.tags?.length) return true;
  return tags.includes("always") || sel.tags.some((t) => tags.includes(t));
}

// --limit takes host or group names (comma separated); a name that matches nothing is a usage error.
export function selectHosts(inventory: Inventory, group: string, limit: string[] | undefined): InventoryHost[] {
  const members = new Set(inventory.groups[group] ?? []);
  const inGroup = inventory.hosts.filter((h) => members.has(h.name));
  if (!limit?.length) return inGroup;
  const wanted = new Set<string>();
  for (const name of limit) {
    const hosts = inventory.groups[name] ?? (inventory.hosts.some((h) => h.name === name) ? [name] : undefined);
    if (!hosts) throw new UsageError(`--limit ${name}: no such host or group in ${inventory.file}`);
    hosts.forEach((h) => wanted.add(h));
  }
  const selected = inGroup.filter((h) => wanted.has(h.name));
  if (selected.length === 0) throw new UsageError(`--limit ${limit.join(",")}: no host of group \`${group}\` selected`);
  return selected;
}
