import { UsageError } from "../errors.js";
import { renderEtcHosts, type HostIdentity } from "./hostfiles.js";
import { inventoryEntries, renderInventory } from "./inventory.js";
import type { LabPaths } from "./paths.js";

// Which host boots from what, which group it joins and what it calls `controller`: decided here, purely, so
// /etc/hosts and the inventory follow from one place and can be tested without containers.

export interface LayoutOptions {
  hosts: number;
  // How many of the first hosts go into the `controller` group; the rest go into `compute`.
  controllers?: number;
  // Whether a snapshot is given at all (`from`).
  fromSnapshot: boolean;
  // With a snapshot: how many of the first hosts boot from it; the others boot from the clean base.
  fromHosts?: number;
  // Each host maps `controller` to itself; see labLayout for the default.
  controllerPerHost?: boolean;
}

export interface HostPlan {
  fromSnapshot: boolean;
  group: "controller" | "compute";
  // Index of the host whose address this host's /etc/hosts gives the name `controller`.
  controllerHost: number;
  // The inventory's management_address is the name `controller` (a clone's services are bound to it), not
  // the host's own address.
  managementIsName: boolean;
}

export interface LabLayout {
  // True when every host maps `controller` to itself (recorded in the lab state as before).
  controllerPerHost: boolean;
  hosts: HostPlan[];
}

function count(flag: string, value: number | undefined, fallback: number, max: number): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${flag} must be a whole number from 1 to --hosts (${max}) (got ${value})`);
  return n;
}

// Clone mode (every host from the snapshot) keeps each clone its own complete controller, as before. A mixed
// lab has one converged controller, the first host: it keeps serving on its own address under the name
// `controller`, and the blank hosts reach it by that name, so every host maps `controller` to the first host.
export function labLayout(options: LayoutOptions): LabLayout {
  if (!options.fromSnapshot && options.fromHosts !== undefined) throw new UsageError("--from-hosts needs --from SNAPSHOT");
  const fromHosts = options.fromSnapshot ? count("--from-hosts", options.fromHosts, options.hosts, options.hosts) : 0;
  const allClones = fromHosts === options.hosts;
  const controllers = count("--controllers", options.controllers, allClones ? options.hosts : 1, options.hosts);
  const controllerPerHost = options.controllerPerHost ?? allClones;
  const hosts = Array.from({ length: options.hosts }, (_, i): HostPlan => {
    const controllerHost = controllerPerHost ? i : 0;
    const fromSnapshot = i < fromHosts;
    return { fromSnapshot, group: i < controllers ? "controller" : "compute", controllerHost, managementIsName: fromSnapshot && controllerHost === i };
  });
  return { controllerPerHost, hosts };
}

export interface LabTexts {
  inventory: string;
  // Per host, in order: its /etc/hosts.
  etcHosts: string[];
}

// The files the layout decides, as text: `lab up` writes exactly these, and tests compare them.
export function labTexts(paths: Pick<LabPaths, "key" | "knownHosts" | "secrets" | "verifyImage">, hosts: readonly HostIdentity[], layout: LabLayout): LabTexts {
  return {
    inventory: renderInventory(paths, inventoryEntries(hosts, layout)),
    etcHosts: layout.hosts.map((plan) => renderEtcHosts(hosts, hosts[plan.controllerHost]!.address)),
  };
}
