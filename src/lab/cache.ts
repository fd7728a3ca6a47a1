import { access, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { machineMirrors, releaseSources } from "./archive.js";
import { buildBaseRootfs } from "./base.js";
import { withFileLock } from "./flock.js";
import { cacheKey, type CacheSpec } from "./packages.js";
import { buildRepo } from "./repo.js";

// Base root filesystem and repository, built once per key and reused read-only by every host of every lab.

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

// What fills a scratch cache directory: base root filesystem and repository (tests substitute a fake).
export type CacheBuilder = (scratch: string, spec: CacheSpec, log: (line: string) => void) => Promise<number>;

// Both halves come from the release's own suites on the machine's archive hosts; the machine's apt lists and
// sources are never used (they are another release's on a machine older than the lab).
const buildCache: CacheBuilder = async (scratch, spec, log) => {
  const mirrors = await machineMirrors();
  const rootfs = join(scratch, "rootfs");
  const repoDir = join(scratch, "repo");
  const base = await buildBaseRootfs(rootfs, spec.release, spec.basePackages, releaseSources(spec.release, mirrors), repoDir);
  log(`lab: base root filesystem made of ${base} packages, kept in the repository`);
  return buildRepo({ repoDir, baseRootfs: rootfs, release: spec.release, mirrors, aptDir: join(scratch, "apt"), packages: spec.repoPackages }, log);
};

// Several labs share one cache directory and may start cold at the same moment: the build runs under a lock
// (one build at a time per cache directory, which also keeps two `apt-get update`s apart); whoever waited
// finds the cache complete and reuses it.
export async function ensureCache(
  cacheRoot: string,
  spec: CacheSpec,
  log: (line: string) => void,
  options: { lockFile?: string; build?: CacheBuilder } = {},
): Promise<LabCache> {
  const cache = cacheLocation(cacheRoot, spec);
  if (await isCacheComplete(cache)) return cache;
  const lockFile = options.lockFile ?? join(cacheRoot, "build.lock");
  const onWait = () => log(`lab: waiting for another lab building the cache in ${cacheRoot}`);
  return withFileLock(lockFile, { what: "the lab cache build", timeoutMs: 90 * 60_000, onWait }, async () => {
    if (await isCacheComplete(cache)) return cache;
    await buildInto(cache, spec, log, options.build ?? buildCache);
    return cache;
  });
}

// Builds into a scratch directory and renames it into place, so an interrupted build is never mistaken for a cache.
async function buildInto(cache: LabCache, spec: CacheSpec, log: (line: string) => void, build: CacheBuilder): Promise<void> {
  const scratch = `${cache.dir}.partial`;
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true, mode: 0o755 });
  const started = Date.now();
  log(`lab: building the ${spec.release} base root filesystem (cache ${cache.key}, once)`);
  const debs = await build(scratch, spec, log);
  await writeFile(join(scratch, COMPLETE), JSON.stringify({ spec, debs, builtAt: new Date().toISOString() }, null, 2) + "\n");
  await rm(cache.dir, { recursive: true, force: true });
  await rename(scratch, cache.dir);
  log(`lab: cache ${cache.key} ready in ${((Date.now() - started) / 1000).toFixed(1)} s (${debs} packages)`);
}
