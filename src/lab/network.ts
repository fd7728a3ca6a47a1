import { createHash } from "node:crypto";
import { probe, run } from "./run.js";
import type { MachineNetwork } from "./subnet.js";

// The machine side of a lab's network: one bridge per lab holding .1, nothing routed or masqueraded beyond it.
// Several labs (different state directories) run side by side, so every name on the machine derives from the
// lab's identity: a short hash of its absolute state directory.

// The single bridge of labs made before labs could coexist; still removed by the lab that recorded it.
export const LEGACY_BRIDGE = "gdlab0";
// The kernel's limit for interface names (IFNAMSIZ - 1).
export const MAX_IFNAME = 15;

// Six hex digits of the state directory's hash: short enough for interface names, long enough not to collide
// by accident (a collision is still caught: the bridge carries its owner, see assertBridgeOurs).
export function labId(state: string): string {
  return createHash("sha256").update(state).digest("hex").slice(0, 6);
}

// "gdlab-1a2b3c": 12 characters.
export function bridgeName(state: string): string {
  return `gdlab-${labId(state)}`;
}

// nspawn's machine name (not the host name, which stays lab1…): it names the host side of the veth
// ("vb-<machine>") and nspawn's runtime directories, so it must differ between labs. "gd1a2b3c-1": at most 11.
export function machineName(state: string, index: number): string {
  return `gd${labId(state)}-${index + 1}`;
}

// nspawn names the machine side of a host's veth "vb-" + machine name; machine names are kept short enough
// that it never has to shorten it.
export function hostLinkName(machine: string): string {
  return `vb-${machine}`.slice(0, MAX_IFNAME);
}

// Every IPv4 address and route the machine has (other labs' bridges included), so the lab subnet can be
// checked against all of them.
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

// Creates (or re-creates with the right address) the lab's own bridge, marked with its owner before it gets
// an address; called only after this lab's stale remains were cleaned, holding the machine's network lock.
export async function createBridge(name: string, owner: string, gateway: string, prefix: number): Promise<void> {
  await deleteLink(name);
  await run("ip", ["link", "add", name, "type", "bridge"]);
  await run("ip", ["link", "set", name, "alias", owner]);
  // The lab never needs IPv6; without it the bridge sends no router solicitations or MLD reports.
  await probe("sysctl", ["-q", "-w", `net.ipv6.conf.${name}.disable_ipv6=1`]);
  // Packets arriving from the lab are never routed on, even if the machine forwards for others.
  await run("sysctl", ["-q", "-w", `net.ipv4.conf.${name}.forwarding=0`]);
  await run("ip", ["addr", "add", `${gateway}/${prefix}`, "dev", name]);
  await run("ip", ["link", "set", name, "up"]);
}

// Removes a link if present; absence is the goal, so "does not exist" is success.
export async function deleteLink(name: string): Promise<void> {
  if (await linkExists(name)) await probeDelete(name);
}

// Asked of the kernel each time: another tool may have removed the link meanwhile.
export async function linkExists(name: string): Promise<boolean> {
  return (await probe("ip", ["link", "show", "dev", name])).code === 0;
}

// A link's alias: undefined when there is no such link, "" when it has none.
export async function linkAlias(name: string): Promise<string | undefined> {
  const r = await probe("ip", ["-j", "link", "show", "dev", name]);
  if (r.code !== 0) return undefined;
  const [link] = JSON.parse(r.stdout || "[]") as Array<{ ifalias?: string }>;
  return link?.ifalias ?? "";
}

// The links enslaved to a bridge: the host ends of its containers' veths.
export async function bridgePorts(bridge: string): Promise<string[]> {
  const r = await probe("ip", ["-j", "link", "show", "master", bridge]);
  if (r.code !== 0) return [];
  return (JSON.parse(r.stdout || "[]") as Array<{ ifname: string }>).map((l) => l.ifname);
}

// Removes a host's veth only while it hangs on this lab's bridge: the same name on another lab's bridge is not ours.
export async function deletePortOf(bridge: string, link: string): Promise<void> {
  if ((await bridgePorts(bridge)).includes(link)) await probeDelete(link);
}

// A veth vanishes by itself when its container's namespace goes, possibly between the check and the delete.
async function probeDelete(name: string): Promise<void> {
  const r = await probe("ip", ["link", "del", name]);
  if (r.code !== 0 && (await linkExists(name))) await run("ip", ["link", "del", name]);
}
