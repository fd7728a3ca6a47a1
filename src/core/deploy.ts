import { runPlay } from "../apply/play.js";
import type { PlayEvents } from "../report/events.js";
import { selectHosts, type Selection } from "../apply/select.js";
import { InventoryError, UsageError } from "../errors.js";
import { loadInventory, type Inventory, type InventoryHost } from "../inventory/load.js";
import { sshTargetFor } from "../inventory/target.js";
import type { Playbook } from "../plan/types.js";
import type { PlayReport } from "../report/types.js";
import type { Transport } from "../transport/types.js";

export interface DeployOptions extends Selection {
  inventory: string | Inventory;
  playbook: Playbook;
  check?: boolean;
  concurrency?: number;
  events?: PlayEvents;
  signal?: AbortSignal;
  // Injected in tests; by default one SSH connection per host.
  connect?: (host: InventoryHost) => Promise<Transport>;
}

// The library entry point behind `glance-deploy deploy`: inventory in, report out, no printing, no exit.
export async function deploy(options: DeployOptions): Promise<PlayReport> {
  const { playbook } = options;
  const inventory =
    typeof options.inventory === "string" ? loadInventory(options.inventory, { requireGroup: playbook.group }) : options.inventory;
  const hosts = withDatabaseHost(inventory, playbook, selectHosts(inventory, playbook.group, options.limit));
  requireVars(inventory, hosts, playbook);
  return runPlay({
    playbook,
    hosts,
    connect: options.connect ?? sshConnect,
    check: options.check ?? false,
    selection: options,
    concurrency: options.concurrency ?? 10,
    ...(options.events ? { events: options.events } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

// ssh2 is loaded only when a connection is really made, so render and --help stay light.
async function sshConnect(host: InventoryHost): Promise<Transport> {
  const { SshTransport } = await import("../transport/ssh.js");
  return SshTransport.connect(sshTargetFor(host));
}

// database_host defaults to the first host of the playbook's group in the inventory (whatever --limit selects, so
// a limited run still knows where the databases are); a name that is no host of the inventory is a usage error.
export function withDatabaseHost(inventory: Inventory, playbook: Playbook, hosts: InventoryHost[]): InventoryHost[] {
  const first = inventory.groups[playbook.group]?.[0];
  return hosts.map((h) => {
    const named = h.vars.database_host;
    if (named !== undefined && !inventory.hosts.some((x) => x.name === named)) {
      throw new InventoryError(inventory.file, undefined, undefined, "database_host", `${named} is not a host of this inventory`);
    }
    return named !== undefined || first === undefined ? h : { ...h, vars: { ...h.vars, database_host: first } };
  });
}

// Fails before any connection when a variable the playbook needs is missing on some host.
export function requireVars(inventory: Inventory, hosts: InventoryHost[], playbook: Playbook): void {
  for (const name of playbook.requires ?? []) {
    const missing = hosts.filter((h) => h.vars[name] === undefined || h.vars[name] === "").map((h) => h.name);
    if (missing.length) {
      throw new InventoryError(inventory.file, undefined, undefined, name, `required by playbook ${playbook.name} but not set for ${missing.join(", ")} (set it under all.vars)`);
    }
  }
}

// Resolves a playbook name for the CLI.
export async function findPlaybook(name: string): Promise<Playbook> {
  const { playbooks } = await import("../../playbooks/index.js");
  const playbook = playbooks[name];
  if (!playbook) throw new UsageError(`unknown playbook ${name}; known: ${Object.keys(playbooks).join(", ")}`);
  return playbook;
}
