import { access, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildBaseRootfs } from "./base.js";
import { cacheKey, type CacheSpec } from "./packages.js";
import { buildRepo } from "./repo.js";

// Base root filesystem and repository, built once per key and reused read-only by every lab host.

export interface LabCache {
  key: string;
  dir: string;
  rootfs: string;
  repo: string;
}

const COMPLETE = "complete";

// Where a spec's cache lives; the key is the directory name, so different package lists never mix.
export function cacheLocation(cacheRoot: string, spec: CacheSpec): LabCache {
  const key = cacheKey(spec);
  const dir = join(cacheRoot, key);
  return { key, dir, rootfs: join(dir, "rootfs"), repo: join(dir, "repo") };
}

// The marker is written last, so its presence means both rootfs and repository are whole.
export async function isCacheComplete(cache: LabCache): Promise<boolean> {
  return access(join(cache.dir, COMPLETE)).then(() => true, () => false);
}

// Builds into a scratch directory and renames it into place, so an interrupted build is never mistaken for a cache.
export async function ensureCache(cacheRoot: string, spec: CacheSpec, log: (line: string) => void): Promise<LabCache> {
  const cache = cacheLocation(cacheRoot, spec);
  if (await isCacheComplete(cache)) return cache;
  const scratch = `${cache.dir}.partial`;
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true, mode: 0o755 });
  const started = Date.now();
  log(`lab: building the ${spec.release} base root filesystem (cache ${cache.key}, once)`);
  await buildBaseRootfs(join(scratch, "rootfs"), spec.release, spec.basePackages);
  const debs = await buildRepo(join(scratch, "repo"), join(scratch, "rootfs"), spec.repoPackages, log);
  await writeFile(join(scratch, COMPLETE), JSON.stringify({ spec, debs, builtAt: new Date().toISOString() }, null, 2) + "\n");
  await rm(cache.dir, { recursive: true, force: true });
  await rename(scratch, cache.dir);
  log(`lab: cache ${cache.key} ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${debs} packages)`);
  return cache;
}
