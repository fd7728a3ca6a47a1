import type { InventoryHost } from "../inventory/load.js";
import { tasksOf, type Playbook, type RenderedFile } from "../plan/types.js";

// Every file the playbook's tasks would write on each host, computed from variables alone (no network).
export function renderFiles(playbook: Playbook, hosts: InventoryHost[]): { host: string; files: RenderedFile[] }[] {
  return hosts.map((host) => ({ host: host.name, files: tasksOf(playbook).flatMap((t) => t.render?.(host.vars) ?? []) }));
}
