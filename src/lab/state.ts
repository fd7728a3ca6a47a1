import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { ProcRecord } from "./procs.js";

// What `lab up` started, on disk, so `status`, `ssh`, `down` and the next `up` (stale cleanup) know it.

export interface HostState {
  name: string;
  // nspawn's machine name, unique on the machine (see machineName); absent in records of older labs.
  machine?: string;
  address: string;
  // Which layers (top first) the host's overlay was built from; the upper layer is per host.
  lowers: string[];
  // The Debian release the host runs when `lab upgrade` moved it past the lab's base release.
  upgradedTo?: string;
  nspawn?: ProcRecord;
  init?: ProcRecord;
}

export interface LabState {
  version: 1;
  subnet: string;
  bridge: string;
  gateway: string;
  cacheKey: string;
  // Debian release of the base (absent in records of older labs, which were all bookworm: see labStateRelease).
  release?: string;
  // Snapshot the hosts were cloned from, if any.
  from?: string;
  controllerPerHost: boolean;
  inventory: string;
  key: string;
  knownHosts: string;
  hosts: HostState[];
}

// A cache key starts with its release (see cacheKey), which dates records written before the release was.
export function labStateRelease(state: Pick<LabState, "release" | "cacheKey">): string {
  return state.release ?? state.cacheKey.split("-")[0]!;
}

// A missing or unreadable record means "no lab known", never an error: cleanup must still be possible.
export async function readState(path: string): Promise<LabState | undefined> {
  const text = await readFile(path, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as LabState;
    return value && value.version === 1 && Array.isArray(value.hosts) ? value : undefined;
  } catch {
    return undefined;
  }
}

// Written via rename so a crash never leaves half a record (which would hide PIDs from cleanup).
export async function writeState(path: string, state: LabState): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(`${path}.tmp`, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
  await rename(`${path}.tmp`, path);
}

// Per-host PID record, written the moment a container starts, before anything else can fail.
export async function writePids(path: string, pids: { nspawn: ProcRecord; init?: ProcRecord }): Promise<void> {
  await writeFile(`${path}.tmp`, JSON.stringify(pids) + "\n", { mode: 0o600 });
  await rename(`${path}.tmp`, path);
}

// Same leniency as readState: a torn record must not block cleaning up the rest.
export async function readPids(path: string): Promise<{ nspawn?: ProcRecord; init?: ProcRecord }> {
  const text = await readFile(path, "utf8").catch(() => undefined);
  if (!text) return {};
  try {
    return JSON.parse(text) as { nspawn?: ProcRecord; init?: ProcRecord };
  } catch {
    return {};
  }
}
