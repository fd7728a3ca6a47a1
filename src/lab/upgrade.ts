import { join } from "node:path";
import { UsageError } from "../errors.js";
import { supportedReleases } from "../profiles/index.js";
import { CACHES_MOUNT } from "./base.js";
import { ensureCache } from "./cache.js";
import { LabError } from "./errors.js";
import { withLabLock } from "./lock.js";
import { defaultCacheSpec, labRelease } from "./packages.js";
import { labPaths, type LabPaths } from "./paths.js";
import { assertRoot } from "./prereqs.js";
import { isAlive } from "./procs.js";
import { labExec } from "./ssh.js";
import { labStateRelease, readState, writeState } from "./state.js";

// `lab upgrade HOST --release R`: the operator's part of a Debian release upgrade on one lab host — its only apt
// source becomes the lab's repository for R, then a non-interactive full-upgrade that keeps every configuration
// file the host has changed (the tool's among them). Nothing else: no reboot, no deploy, no config migration.

export interface LabUpgradeOptions {
  release: string;
  paths?: LabPaths;
  log?: (line: string) => void;
  timeoutMs?: number;
}

export interface LabUpgradeResult {
  host: string;
  from: string;
  to: string;
  // apt's summary line ("N upgraded, M newly installed, …").
  summary: string;
}

// Shell-quoted with single quotes; the repository path is the lab's own, but a cache override could hold anything.
function q(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

// The commands run on the host, as root. Keeping old config files: dpkg's --force-confold (with --force-confdef
// so a file the host never changed still takes the package's new version) and ucf's equivalent for the files
// maintainer scripts manage through ucf.
export function upgradeScript(repo: string): string {
  return [
    "set -eu",
    "export DEBIAN_FRONTEND=noninteractive UCF_FORCE_CONFFOLD=1",
    `test -r ${q(`${repo}/Packages`)} || { echo ${q(`no lab repository at ${repo}: this host booted before the lab shared its cache; run lab up again`)} >&2; exit 3; }`,
    `echo ${q(`deb [trusted=yes] file:${repo} ./`)} > /etc/apt/sources.list`,
    "apt-get update -q",
    "apt-get full-upgrade -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold",
    ". /etc/os-release && echo \"release=$VERSION_CODENAME\"",
  ].join("\n");
}

// apt lists the packages it could not upgrade (a dependency missing from the repository) under this heading,
// indented, one or more per line.
export function keptBack(aptOutput: string): string[] {
  const lines = aptOutput.split("\n");
  const start = lines.findIndex((l) => /^The following packages have been kept back:/.test(l));
  if (start < 0) return [];
  const out: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (!/^\s/.test(l)) break;
    out.push(...l.trim().split(/\s+/).filter(Boolean));
  }
  return out;
}

// An upgrade goes forward only: supported releases are listed oldest first.
export function checkUpgrade(from: string, to: string): void {
  const order = supportedReleases();
  if (!order.includes(from)) throw new UsageError(`the host runs Debian ${from}, which the lab does not know (supported: ${order.join(", ")})`);
  if (order.indexOf(to) < order.indexOf(from)) throw new UsageError(`the host runs Debian ${from}; ${to} is older and Debian does not downgrade`);
}

export async function labUpgrade(hostName: string, options: LabUpgradeOptions): Promise<LabUpgradeResult> {
  const to = labRelease(options.release);
  assertRoot();
  const paths = options.paths ?? labPaths();
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  return withLabLock(paths.lockFile, async () => {
    const state = await readState(paths.labFile);
    const host = state?.hosts.find((h) => h.name === hostName || h.address === hostName);
    if (!state || !host) throw new UsageError(`no running lab host "${hostName}"`);
    if (!(await isAlive(host.init))) throw new UsageError(`lab host ${host.name} is not running`);
    const exec = (command: string, timeoutMs = 60_000) => labExec(host.name, command, { paths, timeoutMs });
    const from = (await exec(". /etc/os-release && echo $VERSION_CODENAME")).stdout.trim();
    checkUpgrade(from, to);
    // Built (once) like any lab cache; every host sees the cache root, so the repository is there at once.
    const cache = await ensureCache(paths.cache, defaultCacheSpec(to), log, { lockFile: paths.cacheLock });
    const repo = join(CACHES_MOUNT, cache.key, "repo");
    log(`lab: upgrading ${host.name} from ${from} to ${to} (apt source ${repo})`);
    const r = await exec(upgradeScript(repo), options.timeoutMs ?? 30 * 60_000);
    const output = `${r.stdout}\n${r.stderr}`;
    if (r.code !== 0) throw new LabError(`${host.name}: the upgrade to ${to} failed (exit ${r.code}):\n${output.trim().split("\n").slice(-15).join("\n")}`);
    const now = /^release=(\S+)$/m.exec(r.stdout)?.[1] ?? "unknown";
    if (now !== to) {
      const held = keptBack(r.stdout);
      throw new LabError(`${host.name}: after the upgrade /etc/os-release says ${now}, not ${to}${held.length ? `; apt kept back: ${held.join(" ")}` : ""}`);
    }
    if (now !== labStateRelease(state)) host.upgradedTo = now;
    await writeState(paths.labFile, state);
    const summary = /^\d+ upgraded, .*$/m.exec(r.stdout)?.[0] ?? "";
    return { host: host.name, from, to: now, summary };
  });
}
