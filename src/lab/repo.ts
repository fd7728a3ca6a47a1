import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { run } from "./run.js";

// The lab's local apt repository: every requested package with its full dependency closure against the
// base root filesystem, fetched by the machine's own apt, indexed as a flat repository.

// Resolution is done against the base's dpkg status, so the repository holds exactly what a host lacks.
export async function buildRepo(repoDir: string, baseRootfs: string, packages: readonly string[], log: (line: string) => void): Promise<number> {
  await mkdir(join(repoDir, "partial"), { recursive: true });
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  const options = [
    "-o", `Dir::Cache::archives=${repoDir}`,
    "-o", `Dir::State::status=${join(baseRootfs, "var/lib/dpkg/status")}`,
    // A lab host uses apt's defaults; the machine's own apt configuration must not change the closure.
    "-o", "APT::Install-Recommends=true",
    "-o", "APT::Install-Suggests=false",
    // Only reads the machine's package lists and writes into repoDir; the machine's dpkg is not involved.
    "-o", "Debug::NoLocking=true",
  ];
  // The package lists must be as new as the mirror mmdebstrap just used, or versions would disagree.
  log("lab: refreshing the machine's apt package lists");
  await run("apt-get", ["update", "-q"], { env, timeout: 10 * 60_000 });
  log(`lab: downloading ${packages.length} packages and their dependencies into the lab repository`);
  await run("apt-get", ["install", "--download-only", "-y", "-q", ...options, ...packages], { env, timeout: 30 * 60_000 });
  // Each package alone as well: installing one package by itself may pick alternatives the whole set did not need.
  for (const p of packages) await run("apt-get", ["install", "--download-only", "-y", "-q", ...options, p], { env, timeout: 30 * 60_000 });
  await rm(join(repoDir, "partial"), { recursive: true, force: true });
  await rm(join(repoDir, "lock"), { force: true });
  const debs = (await readdir(repoDir)).filter((f) => f.endsWith(".deb")).length;
  log(`lab: indexing ${debs} packages`);
  const index = await run("apt-ftparchive", ["packages", "."], { cwd: repoDir, maxBuffer: 512 * 1024 * 1024 });
  await writeFile(join(repoDir, "Packages"), index.stdout + "\n");
  await run("gzip", ["-k", "-f", "-n", "Packages"], { cwd: repoDir });
  const release = await run("apt-ftparchive", ["release", "."], { cwd: repoDir });
  await writeFile(join(repoDir, "Release"), release.stdout + "\n");
  return debs;
}
