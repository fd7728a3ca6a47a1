import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { releaseSources, type ArchiveMirrors } from "./archive.js";

// A private apt for one release: its own sources, package lists and caches under the lab cache, selected with
// APT_CONFIG. The machine's apt lists and sources (another release, third-party suites) are neither read nor
// written, so a trixie closure resolves on a bookworm machine and the machine's `apt-get update` state is untouched.

export interface PrivateAptOptions {
  // Directory holding the configuration, sources, lists and apt's caches.
  dir: string;
  release: string;
  mirrors: ArchiveMirrors;
  // dpkg status the closure is resolved against (the base root filesystem's): what a host already has.
  status: string;
  // Where downloaded .debs go.
  archives: string;
}

export interface PrivateApt {
  configFile: string;
  // Environment for apt-get: APT_CONFIG and a non-interactive frontend.
  env: Record<string, string>;
}

// apt.conf quoting: a value is a double-quoted string with no escapes, so a path holding a quote is refused.
function quoted(value: string): string {
  if (/["\n]/.test(value)) throw new Error(`apt configuration value ${JSON.stringify(value)} may not contain a double quote or newline`);
  return `"${value}"`;
}

// The file APT_CONFIG names. The machine's apt.conf.d is still read (a proxy there keeps working); nothing in it
// is expected to set these directories.
export function renderAptConfig(o: Omit<PrivateAptOptions, "mirrors">): string {
  const settings: Array<[string, string]> = [
    ["Dir::Etc::sourcelist", join(o.dir, "sources.list")],
    // "-" names no directory: the machine's sources.list.d (its own release, third-party suites) is not read.
    ["Dir::Etc::sourceparts", "-"],
    // The machine's pins (a nodesource origin) say nothing about this release.
    ["Dir::Etc::preferences", join(o.dir, "preferences")],
    // An empty directory of its own: apt warns about a missing one (only sourceparts takes "-" silently).
    ["Dir::Etc::preferencesparts", join(o.dir, "preferences.d")],
    ["Dir::State", join(o.dir, "state")],
    ["Dir::State::Lists", join(o.dir, "lists")],
    ["Dir::State::status", o.status],
    ["Dir::Cache", join(o.dir, "cache")],
    ["Dir::Cache::archives", o.archives],
    // A lab host uses apt's defaults; the machine's own choices must not change the closure.
    ["APT::Install-Recommends", "true"],
    ["APT::Install-Suggests", "false"],
    // Every directory written is private; the status file is only read, and no dpkg runs.
    ["Debug::NoLocking", "true"],
  ];
  return [`// glance-deploy lab: apt for the ${o.release} lab repository only.`, ...settings.map(([k, v]) => `${k} ${quoted(v)};`), ""].join("\n");
}

// Writes configuration and sources and creates the directories apt expects; returns how to call apt-get.
export async function writePrivateApt(o: PrivateAptOptions): Promise<PrivateApt> {
  for (const d of [join(o.dir, "state"), join(o.dir, "preferences.d"), join(o.dir, "lists", "partial"), join(o.dir, "cache"), join(o.archives, "partial")]) {
    await mkdir(d, { recursive: true, mode: 0o755 });
  }
  const configFile = join(o.dir, "apt.conf");
  await writeFile(configFile, renderAptConfig(o));
  await writeFile(join(o.dir, "sources.list"), releaseSources(o.release, o.mirrors).join("\n") + "\n");
  return { configFile, env: { APT_CONFIG: configFile, DEBIAN_FRONTEND: "noninteractive" } };
}
