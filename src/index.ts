// The library API of glance-deploy. Only re-exports: importing it must stay as light as `render` (ssh2 is
// loaded by deploy when it connects, mysql2 by the SQL tasks when they run, listr2 only by the CLI).

// Inventory: read, validate and merge an Ansible-style inventory file.
export { loadInventory, type Inventory, type InventoryHost, type LoadOptions } from "./inventory/load.js";

// Deploy: run a playbook on an inventory's hosts and get the report back (nothing printed, no exit).
export { deploy, findPlaybook, type DeployOptions } from "./core/deploy.js";

// Render: the files a playbook would write, per host, computed offline.
export { renderFiles } from "./core/render.js";

// Playbooks: the bundled ones by name (site, mariadb, memcached, keystone, glance, verify).
export { playbooks } from "../playbooks/index.js";

// Playbook and task shapes, for writing or inspecting playbooks.
export type { Playbook, Task, RenderedFile } from "./plan/types.js";

// Report: the result of a play, the same document as `deploy --json`.
export type { PlayReport, HostSummary, TaskResult, TaskStatus } from "./report/types.js";

// Errors: every deliberate failure is a DeployError whose exitCode says what kind it is.
export {
  DeployError,
  UsageError,
  InventoryError,
  UnreachableError,
  HostKeyError,
  AuthError,
  TaskError,
  RemoteCommandError,
  ExitCode,
  exitCodeFor,
} from "./errors.js";

// The lab: disposable systemd-booted Debian controller hosts on this machine.
export * from "./lab/index.js";
