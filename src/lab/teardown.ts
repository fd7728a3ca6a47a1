import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import { stopContainer } from "./container.js";
import { unmountUnder } from "./mounts.js";
import { BRIDGE, deleteLink, hostLinkName, linkExists } from "./network.js";
import type { LabPaths } from "./paths.js";
import { readPids, readState } from "./state.js";
import { probe } from "./run.js";

// Removing a lab completely: containers (by recorded PID only), mounts, links, bridge, per-host dirs.
// Used by `lab down` and by `lab up` to clear a stale lab first.

// The bridge carries the state directory that owns it, so one lab never tears down another's network.
export function bridgeAlias(paths: LabPaths): string {
  return `glance-deploy-lab:${paths.state}`;
}

// undefined: no bridge; "": a bridge without owner mark (an interrupted `up` of ours).
export async function bridgeOwner(): Promise<string | undefined> {
  const r = await probe("ip", ["-j", "link", "show", "dev", BRIDGE]);
  if (r.code !== 0) return undefined;
  const [link] = JSON.parse(r.stdout || "[]") as Array<{ ifalias?: string }>;
  return link?.ifalias ?? "";
}

// Refuses to touch a bridge that another state directory's lab is using.
export async function assertBridgeOurs(paths: LabPaths): Promise<void> {
  const owner = await bridgeOwner();
  if (owner === undefined || owner === "" || owner === bridgeAlias(paths)) return;
  throw new UsageError(
    `the lab bridge ${BRIDGE} belongs to another lab (${owner.replace(/^glance-deploy-lab:/, "")}); run \`glance-deploy lab down\` with that state directory first`,
  );
}

export interface TeardownResult {
  hosts: string[];
}

// Safe to run at any time: everything it acts on was recorded by this state directory or is named after it.
export async function teardownLab(paths: LabPaths, options: { graceMs: number }): Promise<TeardownResult> {
  await assertBridgeOurs(paths);
  const state = await readState(paths.labFile);
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
  for (const name of names) {
    await deleteLink(hostLinkName(name));
    await rm(join(paths.hosts, name), { recursive: true, force: true });
  }
  if (await linkExists(BRIDGE)) await deleteLink(BRIDGE);
  const failed = stops.find((s): s is PromiseRejectedResult => s.status === "rejected");
  // The record stays while a container may still run, so the next attempt can still find its PIDs.
  if (failed) throw failed.reason;
  await rm(paths.labFile, { force: true });
  return { hosts: names };
}
