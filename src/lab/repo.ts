import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ArchiveMirrors } from "./archive.js";
import { writePrivateApt } from "./aptConfig.js";
import { run } from "./run.js";

// The lab's local apt repository: the base's own packages (put there by buildBaseRootfs) and every requested
// package with its full dependency closure against the base root filesystem, fetched by a private apt for the
// release (see aptConfig.ts), indexed as a flat repository.

export interface RepoBuild {
  repoDir: string;
  baseRootfs: string;
  release: string;
  mirrors: ArchiveMirrors;
  // Private apt state for this build (configuration, lists, caches); removed afterwards but for the configuration.
  aptDir: string;
  packages: readonly string[];
}

// Resolution is done against the base's dpkg status, so what is downloaded is exactly what a host lacks.
export async function buildRepo(b: RepoBuild, log: (line: string) => void): Promise<number> {
  await mkdir(b.repoDir, { recursive: true });
  const apt = await writePrivateApt({ dir: b.aptDir, release: b.release, mirrors: b.mirrors, status: join(b.baseRootfs, "var/lib/dpkg/status"), archives: b.repoDir });
  const env = apt.env;
  // The lists are fetched right after mmdebstrap used the same mirrors, so base and repository agree on versions.
  log(`lab: fetching the ${b.release} package lists (private apt configuration ${apt.configFile})`);
  await run("apt-get", ["update", "-q"], { env, timeout: 10 * 60_000 });
  log(`lab: downloading ${b.packages.length} packages and their dependencies into the lab repository`);
  await run("apt-get", ["install", "--download-only", "-y", "-q", ...b.packages], { env, timeout: 30 * 60_000 });
  // Each package alone as well: installing one package by itself may pick alternatives the whole set did not need.
  for (const p of b.packages) await run("apt-get", ["install", "--download-only", "-y", "-q", p], { env, timeout: 30 * 60_000 });
  await rm(join(b.repoDir, "partial"), { recursive: true, force: true });
  await rm(join(b.repoDir, "lock"), { force: true });
  // Lists and apt's caches are only needed for this build; the configuration and sources stay as its record.
  for (const d of ["lists", "cache", "state"]) await rm(join(b.aptDir, d), { recursive: true, force: true });
  const debs = (await readdir(b.repoDir)).filter((f) => f.endsWith(".deb")).length;
  log(`lab: indexing ${debs} packages`);
  const index = await run("apt-ftparchive", ["packages", "."], { cwd: b.repoDir, maxBuffer: 512 * 1024 * 1024 });
  await writeFile(join(b.repoDir, "Packages"), index.stdout + "\n");
  await run("gzip", ["-k", "-f", "-n", "Packages"], { cwd: b.repoDir });
  const release = await run("apt-ftparchive", ["release", "."], { cwd: b.repoDir });
  await writeFile(join(b.repoDir, "Release"), release.stdout + "\n");
  return debs;
}
