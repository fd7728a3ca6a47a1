import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import { stopContainer } from "./container.js";
import { unmountUnder } from "./mounts.js";
import { bridgeName, bridgePorts, deleteLink, linkAlias } from "./network.js";
import type { LabPaths } from "./paths.js";
import { readPids, readState } from "./state.js";

// Removing a lab completely: containers (by recorded PID only), mounts, links, bridge, per-host dirs.
// Used by `lab down` and by `lab up` to clear a stale lab first. Other labs on the machine are never touched:
// everything acted on was recorded by this state directory or is a link on a bridge marked as this lab's.

// The bridge carries the state directory that owns it, so one lab never tears down another's network.
export function bridgeAlias(paths: Pick<LabPaths, "state">): string {
  return `glance-deploy-lab:${paths.state}`;
}

// Refuses to touch the lab's bridge name when another state directory's lab is using it (a hash collision).
export async function assertBridgeOurs(paths: LabPaths): Promise<void> {
  const name = bridgeName(paths.state);
  const owner = await linkAlias(name);
  if (owner === undefined || owner === "" || owner === bridgeAlias(paths)) return;
  throw new UsageError(
    `the bridge ${name} that this lab (${paths.state}) would use belongs to another lab (${owner.replace(/^glance-deploy-lab:/, "")}); use another state directory or run \`glance-deploy lab down\` with that one first`,
  );
}

// The bridges this lab may remove: its own name (unless another lab owns it, checked above) and the one
// lab.json recorded (a lab from before names were per lab) if it is still marked as this lab's.
async function ownedBridges(paths: LabPaths, recorded: string | undefined): Promise<string[]> {
  const own = bridgeName(paths.state);
  const out = [own];
  if (recorded && recorded !== own && (await linkAlias(recorded)) === bridgeAlias(paths)) out.push(recorded);
  return out;
}

export interface TeardownResult {
  hosts: string[];
}

// Safe to run at any time, with other labs up: it stops only recorded PIDs and removes only its own links.
export async function teardownLab(paths: LabPaths, options: { graceMs: number }): Promise<TeardownResult> {
  await assertBridgeOurs(paths);
  const state = await readState(paths.labFile);
  const bridges = await ownedBridges(paths, state?.bridge);
  const dirs = await readdir(paths.hosts).catch(() => [] as string[]);
  const names = [...new Set([...(state?.hosts.map((h) => h.name) ?? []), ...dirs])];
  const stops = await Promise.allSettled(
    names.map(async (name) => {
      const recorded = await readPids(join(paths.hosts, name, "pids.json"));
      const fromState = state?.hosts.find((h) => h.name === name);
      const nspawn = recorded.nspawn ?? fromState?.nspawn;
      const init = recorded.init ?? fromState?.init;
      if (nspawn) await stopContainer({ nspawn, ...(init ? { init } : {}) }, options.graceMs);
    }),
  );
  await unmountUnder(paths.hosts);
  for (const name of names) await rm(join(paths.hosts, name), { recursive: true, force: true });
  // A container's veth goes with its namespace; whatever still hangs on our bridge is ours to remove.
  for (const bridge of bridges) {
    for (const port of await bridgePorts(bridge)) await deleteLink(port);
    await deleteLink(bridge);
  }
  const failed = stops.find((s): s is PromiseRejectedResult => s.status === "rejected");
  // The record stays while a container may still run, so the next attempt can still find its PIDs.
  if (failed) throw failed.reason;
  await rm(paths.labFile, { force: true });
  return { hosts: names };
}
