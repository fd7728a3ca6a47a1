import type { InventoryHost } from "../inventory/load.js";
import { stepsOf, type Playbook, type RenderedFile, type Task } from "../plan/types.js";

// Every file the playbook's tasks would write on each host, computed from variables alone (no network). A `once`
// task's files go where deploy would run it: its named host (e.g. database_host), else the first host.
export function renderFiles(playbook: Playbook, hosts: InventoryHost[]): { host: string; files: RenderedFile[] }[] {
  const tasks = stepsOf(playbook).flatMap((s) => s.tasks);
  const runsOn = (task: Task, host: InventoryHost) => !task.once || (task.once.host?.(hosts[0]!.vars) ?? hosts[0]!.name) === host.name;
  return hosts.map((host) => ({ host: host.name, files: tasks.filter((t) => runsOn(t, host)).flatMap((t) => t.render?.(host.vars) ?? []) }));
}
