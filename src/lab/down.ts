import { withLabLock } from "./lock.js";
import { labPaths, type LabPaths } from "./paths.js";
import { assertRoot } from "./prereqs.js";
import { teardownLab } from "./teardown.js";

export interface LabDownOptions {
  // Time for a clean poweroff before the container's PID 1 is killed (default 2 s; lab hosts are disposable).
  graceMs?: number;
  paths?: LabPaths;
}

// Stops every host the lab started and removes its links, bridge and mounts; returns the host names it found.
// Idempotent: with no lab up it just makes sure nothing is left.
export async function labDown(options: LabDownOptions = {}): Promise<string[]> {
  assertRoot();
  const paths = options.paths ?? labPaths();
  return withLabLock(paths.lockFile, async () => (await teardownLab(paths, { graceMs: options.graceMs ?? 2000 })).hosts);
}
