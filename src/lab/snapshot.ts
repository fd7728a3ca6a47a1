import { mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import { stopContainer } from "./container.js";
import { LabError } from "./errors.js";
import { withLabLock } from "./lock.js";
import { unmountUnder } from "./mounts.js";
import { deletePortOf, hostLinkName } from "./network.js";
import { hostDirs, labPaths, type LabPaths } from "./paths.js";
import { isAlive, type ProcRecord } from "./procs.js";
import { probe } from "./run.js";
import { labStateRelease, readState, writeState } from "./state.js";

// Snapshots: a stopped host's overlay upper layer kept as a read-only layer, so later labs boot N fresh
// copies of an already-deployed controller (`labUp({ from })`) instead of deploying again.

export interface SnapshotMeta {
  name: string;
  // Base cache the layers sit on; a snapshot is useless on another base.
  cacheKey: string;
  // Debian release of that base (absent in snapshots taken before it was recorded: read it from cacheKey).
  release?: string;
  // The release the host ran when it was taken, if `lab upgrade` had moved it past the base's.
  upgradedTo?: string;
  // Overlay lower layers above the base, top first; the first is this snapshot's own.
  layers: string[];
  takenFrom: string;
  takenAt: string;
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

// Names become directory names: a strict pattern keeps "../" and overlay option separators out.
function snapshotDir(paths: LabPaths, name: string): string {
  if (!NAME.test(name)) throw new UsageError(`snapshot name "${name}" must be 1-64 characters of a-z, 0-9, ".", "_", "-"`);
  return join(paths.snapshots, name);
}

// The recorded layers of a snapshot; a missing one is the operator's input error.
export async function readSnapshot(paths: LabPaths, name: string): Promise<SnapshotMeta> {
  const text = await readFile(join(snapshotDir(paths, name), "meta.json"), "utf8").catch(() => undefined);
  if (text === undefined) throw new UsageError(`no lab snapshot "${name}" in ${paths.snapshots}`);
  return JSON.parse(text) as SnapshotMeta;
}

// The release a snapshot's base was built for; `lab up --from` boots it on that release's cache only.
export function snapshotRelease(meta: Pick<SnapshotMeta, "release" | "cacheKey">): string {
  return labStateRelease(meta);
}

// `lab up`'s release with a snapshot: the snapshot's own unless asked for, and never another one.
export function releaseWithSnapshot(meta: SnapshotMeta, asked: string | undefined): string {
  const taken = snapshotRelease(meta);
  if (asked !== undefined && asked !== taken) {
    throw new UsageError(`snapshot "${meta.name}" was taken on a Debian ${taken} lab and cannot boot as ${asked}: leave out --release (it follows the snapshot) or take a ${asked} snapshot`);
  }
  return taken;
}

// Every snapshot in this state directory, for listing and for the in-use check.
export async function labSnapshots(paths: LabPaths = labPaths()): Promise<SnapshotMeta[]> {
  const names = await readdir(paths.snapshots).catch(() => [] as string[]);
  const metas = await Promise.all(names.map((n) => readSnapshot(paths, n).catch(() => undefined)));
  return metas.filter((m): m is SnapshotMeta => m !== undefined);
}

export interface SnapshotOptions {
  // Replace an existing snapshot of that name (refused while anything still builds on it).
  replace?: boolean;
  // How long services get to stop cleanly before the snapshot is abandoned.
  stopTimeoutMs?: number;
  paths?: LabPaths;
}

// Stops the host with a clean poweroff (every service, MariaDB included, shuts down and flushes), then
// keeps its upper layer. The host leaves the running lab; the other hosts keep running.
export async function labSnapshot(hostName: string, snapshotName: string, options: SnapshotOptions = {}): Promise<SnapshotMeta> {
  const paths = options.paths ?? labPaths();
  const dir = snapshotDir(paths, snapshotName);
  return withLabLock(paths.lockFile, async () => {
    const state = await readState(paths.labFile);
    const host = state?.hosts.find((h) => h.name === hostName);
    if (!state || !host) throw new UsageError(`no running lab host "${hostName}"`);
    if (!host.nspawn || !host.init || !(await isAlive(host.init))) throw new UsageError(`lab host ${hostName} is not running`);
    const exists = await readFile(join(dir, "meta.json")).then(() => true, () => false);
    if (exists && !options.replace) throw new UsageError(`lab snapshot "${snapshotName}" exists; pass replace to overwrite it`);
    if (exists && (await snapshotInUse(paths, dir))) throw new UsageError(`lab snapshot "${snapshotName}" is a layer of a running host or another snapshot`);

    await cleanPoweroff(hostName, host.nspawn, host.init, options.stopTimeoutMs ?? 120_000);
    const d = hostDirs(paths, hostName);
    await unmountUnder(d.dir);
    await deletePortOf(state.bridge, hostLinkName(host.machine ?? hostName));

    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const layer = join(dir, "layer");
    await rename(d.upper, layer);
    const meta: SnapshotMeta = {
      name: snapshotName,
      cacheKey: state.cacheKey,
      release: labStateRelease(state),
      ...(host.upgradedTo ? { upgradedTo: host.upgradedTo } : {}),
      layers: [layer, ...host.lowers.slice(0, -1)],
      takenFrom: hostName,
      takenAt: new Date().toISOString(),
    };
    await writeFile(join(dir, "meta.json"), JSON.stringify(meta, null, 2) + "\n", { mode: 0o600 });
    await rm(d.dir, { recursive: true, force: true });
    state.hosts = state.hosts.filter((h) => h.name !== hostName);
    await writeState(paths.labFile, state);
    return meta;
  });
}

// Frees the disk a snapshot holds, unless a host or another snapshot still stands on it.
export async function labDeleteSnapshot(name: string, paths: LabPaths = labPaths()): Promise<void> {
  const dir = snapshotDir(paths, name);
  return withLabLock(paths.lockFile, async () => {
    if (await snapshotInUse(paths, dir)) throw new UsageError(`lab snapshot "${name}" is a layer of a running host or another snapshot`);
    await rm(dir, { recursive: true, force: true });
  });
}

// A layer may not disappear from under a mounted overlay or a snapshot stacked on it.
async function snapshotInUse(paths: LabPaths, dir: string): Promise<boolean> {
  const layer = join(dir, "layer");
  const state = await readState(paths.labFile);
  if (state?.hosts.some((h) => h.lowers.includes(layer))) return true;
  return (await labSnapshots(paths)).some((m) => m.layers.slice(1).includes(layer));
}

// User sessions are killed first (their user manager is what made poweroff hang for minutes here), then
// systemd powers the container off, stopping every service in order. Too slow means no snapshot.
async function cleanPoweroff(name: string, nspawn: ProcRecord, init: ProcRecord, timeoutMs: number): Promise<void> {
  const inside = ["--target", String(init.pid), "--mount", "--uts", "--ipc", "--net", "--pid", "--"];
  await probe("nsenter", [...inside, "systemctl", "kill", "--signal=SIGKILL", "user.slice"]);
  await probe("nsenter", [...inside, "systemctl", "--no-block", "poweroff"]);
  const deadline = Date.now() + timeoutMs;
  while (await isAlive(init)) {
    if (Date.now() > deadline) {
      await stopContainer({ nspawn, init }, 0);
      throw new LabError(`${name}: clean poweroff did not finish within ${timeoutMs / 1000} s; host stopped, no snapshot taken`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stopContainer({ nspawn, init }, 0);
}
