import type { LabLayout } from "./layout.js";
import type { LabPaths } from "./paths.js";
import { SECRET_NAMES } from "./secrets.js";

// The inventory `lab up` writes, in the tool's own Ansible-style format. Rendered by hand so the default
// lab's output is byte-for-byte the committed inventory/lab.yaml.

export interface InventoryHost {
  name: string;
  address: string;
}

// Where a host goes and what it listens as; see labLayout for how these are decided.
export interface InventoryEntry extends InventoryHost {
  group: "controller" | "compute";
  managementAddress: string;
}

// Plain YAML scalars stay bare; anything else (spaces, colons, quotes) becomes a JSON string, which YAML reads.
function scalar(value: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(value) ? value : JSON.stringify(value);
}

// Joins the lab's hosts with the layout's decisions. Clones' services bind to the name `controller`, so a clone
// that maps that name to itself is managed by it: it serves on its own address without being reconfigured.
export function inventoryEntries(hosts: readonly InventoryHost[], layout: LabLayout): InventoryEntry[] {
  return hosts.map((h, i) => {
    const plan = layout.hosts[i];
    if (!plan) throw new Error(`the layout has no plan for host ${h.name}`);
    return { ...h, group: plan.group, managementAddress: plan.managementIsName ? "controller" : h.address };
  });
}

// Controllers are written as blocks and computes inline, the shape of the committed inventory/lab.yaml.
export function renderInventory(paths: Pick<LabPaths, "key" | "knownHosts" | "secrets" | "verifyImage">, hosts: readonly InventoryEntry[]): string {
  const controllers = hosts.filter((h) => h.group === "controller");
  const computes = hosts.filter((h) => h.group === "compute");
  if (controllers.length === 0) throw new Error("renderInventory needs at least one controller");
  const lines = [
    "# Written by `glance-deploy lab up`; rewritten on every run, so edits here do not last.",
    "all:",
    "  vars:",
    "    ansible_user: root",
    `    ansible_ssh_private_key_file: ${scalar(paths.key)}`,
    `    ssh_known_hosts_file: ${scalar(paths.knownHosts)}`,
    "    ssh_host_key_policy: accept-new",
    ...SECRET_NAMES.map((name) => `    ${name}: { file: ${scalar(`${paths.secrets}/${name}`)} }`),
    `    verify_image_file: ${scalar(paths.verifyImage)}`,
    "  children:",
    "    controller:",
    "      hosts:",
  ];
  for (const h of controllers) {
    lines.push(`        ${h.name}:`, `          ansible_host: ${h.address}`, `          management_address: ${scalar(h.managementAddress)}`);
  }
  if (computes.length > 0) {
    lines.push("    compute:", "      hosts:");
    for (const h of computes) lines.push(`        ${h.name}: { ansible_host: ${h.address}, management_address: ${scalar(h.managementAddress)} }`);
  }
  return lines.join("\n") + "\n";
}
