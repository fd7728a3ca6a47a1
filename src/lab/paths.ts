import { join, resolve } from "node:path";

// Every path the lab touches, derived from two roots so tests and operators can move both (env overrides).

export const DEFAULT_STATE_DIR = "/var/lib/glance-deploy/lab";
export const DEFAULT_CACHE_DIR = "/var/cache/glance-deploy/lab";
// Locks for what every lab on the machine shares (bridge names, subnets, the machine's packages): in /run/lock,
// not in a cache or state directory, so labs with different overrides still see the same lock.
export const MACHINE_LOCK_DIR = "/run/lock/glance-deploy";

export interface LabPaths {
  state: string;
  cache: string;
  key: string;
  knownHosts: string;
  secrets: string;
  inventory: string;
  verifyImage: string;
  labFile: string;
  lockFile: string;
  // Machine-wide: held while a lab picks its subnet and creates its bridge.
  networkLock: string;
  // Per cache directory: held while a base root filesystem and repository are built.
  cacheLock: string;
  hosts: string;
  snapshots: string;
}

// Resolved per call (not at import) so a test can set the env vars before using the lab. Absolute, because the
// state directory is the lab's identity (its bridge and machine names derive from it) and the inventory names it.
export function labPaths(env: NodeJS.ProcessEnv = process.env): LabPaths {
  const state = resolve(env.GLANCE_DEPLOY_LAB_STATE || DEFAULT_STATE_DIR);
  const cache = resolve(env.GLANCE_DEPLOY_LAB_CACHE || DEFAULT_CACHE_DIR);
  return {
    state,
    cache,
    key: join(state, "id_ed25519"),
    knownHosts: join(state, "known_hosts"),
    secrets: join(state, "secrets"),
    inventory: join(state, "inventory.yaml"),
    verifyImage: join(state, "verify.qcow2"),
    labFile: join(state, "lab.json"),
    lockFile: join(state, "lock"),
    networkLock: join(MACHINE_LOCK_DIR, "lab-network.lock"),
    cacheLock: join(cache, "build.lock"),
    hosts: join(state, "hosts"),
    snapshots: join(state, "snapshots"),
  };
}

// Per-host runtime directory: overlay upper/work, the merged root, console log, pid record.
export function hostDirs(paths: LabPaths, name: string) {
  const dir = join(paths.hosts, name);
  return {
    dir,
    upper: join(dir, "upper"),
    work: join(dir, "work"),
    root: join(dir, "root"),
    console: join(dir, "console.log"),
    hostKey: join(dir, "ssh_host_ed25519_key"),
  };
}
