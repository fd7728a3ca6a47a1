import type { LabPaths } from "./paths.js";
import { SECRET_NAMES } from "./secrets.js";

// The inventory `lab up` writes, in the tool's own Ansible-style format. Rendered by hand so the default
// lab's output is byte-for-byte the committed inventory/lab.yaml.

export interface InventoryHost {
  name: string;
  address: string;
}

export interface InventoryOptions {
  hosts: readonly InventoryHost[];
  // Clone mode: every host is a complete controller of its own.
  allControllers: boolean;
}

// Plain YAML scalars stay bare; anything else (spaces, colons, quotes) becomes a JSON string, which YAML reads.
function scalar(value: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(value) ? value : JSON.stringify(value);
}

// First host is the controller (the install guide's single controller node); in clone mode each host is.
export function renderInventory(paths: Pick<LabPaths, "key" | "knownHosts" | "secrets" | "verifyImage">, options: InventoryOptions): string {
  const [first, ...rest] = options.hosts;
  if (!first) throw new Error("renderInventory needs at least one host");
  const controllers = options.allControllers ? options.hosts : [first];
  const computes = options.allControllers ? [] : rest;
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
  // Clones are copies of one deployed controller: their services bind to the name `controller`, which each
  // clone maps to its own address, so a copy serves on its own address without being reconfigured.
  const management = (h: InventoryHost) => (options.allControllers ? "controller" : h.address);
  for (const h of controllers) {
    lines.push(`        ${h.name}:`, `          ansible_host: ${h.address}`, `          management_address: ${management(h)}`);
  }
  if (computes.length > 0) {
    lines.push("    compute:", "      hosts:");
    for (const h of computes) lines.push(`        ${h.name}: { ansible_host: ${h.address}, management_address: ${h.address} }`);
  }
  return lines.join("\n") + "\n";
}
