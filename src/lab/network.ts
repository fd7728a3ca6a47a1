import { probe, run } from "./run.js";
import type { MachineNetwork } from "./subnet.js";

// The machine side of the lab network: one bridge holding .1, nothing routed or masqueraded beyond it.

export const BRIDGE = "gdlab0";

// Every IPv4 address and route the machine has, so the lab subnet can be checked against all of them.
export async function machineNetworks(): Promise<MachineNetwork[]> {
  const addrs = JSON.parse((await run("ip", ["-j", "-4", "addr"])).stdout || "[]") as Array<{
    ifname: string;
    addr_info?: Array<{ family: string; local: string; prefixlen: number }>;
  }>;
  const routes = JSON.parse((await run("ip", ["-j", "-4", "route", "show", "table", "all"])).stdout || "[]") as Array<{
    dst: string;
    dev?: string;
    type?: string;
  }>;
  const out: MachineNetwork[] = [];
  for (const a of addrs) for (const i of a.addr_info ?? []) if (i.family === "inet") out.push({ cidr: `${i.local}/${i.prefixlen}`, dev: a.ifname });
  // Local/broadcast entries of the local table repeat the addresses above; everything else is a real route.
  for (const r of routes) if (r.type !== "broadcast") out.push({ cidr: r.dst, dev: r.dev ?? "" });
  return out;
}

// Creates (or re-creates with the right address) the bridge; called only after stale labs were cleaned.
export async function createBridge(gateway: string, prefix: number): Promise<void> {
  await deleteLink(BRIDGE);
  await run("ip", ["link", "add", BRIDGE, "type", "bridge"]);
  // The lab never needs IPv6; without it the bridge sends no router solicitations or MLD reports.
  await probe("sysctl", ["-q", "-w", `net.ipv6.conf.${BRIDGE}.disable_ipv6=1`]);
  // Packets arriving from the lab are never routed on, even if the machine forwards for others.
  await run("sysctl", ["-q", "-w", `net.ipv4.conf.${BRIDGE}.forwarding=0`]);
  await run("ip", ["addr", "add", `${gateway}/${prefix}`, "dev", BRIDGE]);
  await run("ip", ["link", "set", BRIDGE, "up"]);
}

// Removes a link if present; absence is the goal, so "does not exist" is success.
export async function deleteLink(name: string): Promise<void> {
  if (await linkExists(name)) await run("ip", ["link", "del", name]);
}

// Asked of the kernel each time: another tool may have removed the link meanwhile.
export async function linkExists(name: string): Promise<boolean> {
  return (await probe("ip", ["link", "show", "dev", name])).code === 0;
}

// nspawn names the machine side of a host's veth "vb-" + machine name, cut to the kernel's 15 characters.
export function hostLinkName(machine: string): string {
  return `vb-${machine}`.slice(0, 15);
}
