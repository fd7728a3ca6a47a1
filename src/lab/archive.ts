import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

// Where the lab fetches a Debian release from: the same archive hosts the machine's own apt sources use (a
// machine behind a local mirror keeps using it), with the release's suites instead of the machine's.

export interface ArchiveMirrors {
  // Debian's main archive (release and release-updates).
  debian: string;
  // The security archive (release-security).
  security: string;
}

export const DEFAULT_MIRRORS: ArchiveMirrors = { debian: "http://deb.debian.org/debian", security: "http://deb.debian.org/debian-security" };

// Debian's archive key ring; it holds the keys of every current release, trixie's included.
export const ARCHIVE_KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";

interface SourceEntry {
  uris: string[];
  suites: string[];
}

// One-line entries ("deb [opts] URI SUITE COMPONENTS…") and deb822 stanzas (URIs:/Suites:), binary ones only.
export function parseSources(text: string, deb822: boolean): SourceEntry[] {
  if (!deb822) {
    return text
      .split("\n")
      .map((l) => l.replace(/#.*/, "").trim())
      .filter((l) => l.startsWith("deb "))
      .map((l) => l.slice(4).replace(/^\[[^\]]*\]\s*/, "").split(/\s+/))
      .filter((words) => words.length >= 2)
      .map(([uri, suite]) => ({ uris: [uri!], suites: [suite!] }));
  }
  return text
    .split(/\n\s*\n/)
    .map((stanza) => {
      const field = (name: string) =>
        stanza
          .split("\n")
          .filter((l) => !l.startsWith("#"))
          .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))
          ?.slice(name.length + 1)
          .trim()
          .split(/\s+/) ?? [];
      const types = field("Types");
      const enabled = field("Enabled")[0]?.toLowerCase() !== "no";
      return enabled && types.includes("deb") ? { uris: field("URIs"), suites: field("Suites") } : undefined;
    })
    .filter((e): e is SourceEntry => e !== undefined && e.uris.length > 0);
}

// The machine's mirrors are the URIs serving its own release (`bookworm`) and its security suite; anything not
// found falls back to deb.debian.org. Third-party sources (other suites) never qualify.
export function mirrorsFrom(entries: readonly SourceEntry[], machineRelease: string | undefined): ArchiveMirrors {
  const uriFor = (suite: string) => entries.find((e) => e.suites.includes(suite))?.uris[0]?.replace(/\/+$/, "");
  if (!machineRelease) return DEFAULT_MIRRORS;
  return {
    debian: uriFor(machineRelease) ?? DEFAULT_MIRRORS.debian,
    security: uriFor(`${machineRelease}-security`) ?? DEFAULT_MIRRORS.security,
  };
}

// Reads /etc/apt/sources.list and sources.list.d/*.{list,sources} (read only; the lab never writes them).
export async function machineMirrors(etcApt = "/etc/apt", osRelease = "/etc/os-release"): Promise<ArchiveMirrors> {
  const entries: SourceEntry[] = [];
  const add = async (path: string, deb822: boolean) => entries.push(...parseSources(await readFile(path, "utf8").catch(() => ""), deb822));
  await add(join(etcApt, "sources.list"), false);
  for (const f of (await readdir(join(etcApt, "sources.list.d")).catch(() => [] as string[])).sort()) {
    if (f.endsWith(".list")) await add(join(etcApt, "sources.list.d", f), false);
    if (f.endsWith(".sources")) await add(join(etcApt, "sources.list.d", f), true);
  }
  const codename = /^VERSION_CODENAME=("?)([^"\n]*)\1$/m.exec(await readFile(osRelease, "utf8").catch(() => ""))?.[2];
  return mirrorsFrom(entries, codename || undefined);
}

// The release's `main` suites: release, release-updates and release-security, as one-line sources entries.
export function releaseSources(release: string, mirrors: ArchiveMirrors): string[] {
  const opts = `[signed-by=${ARCHIVE_KEYRING}]`;
  return [
    `deb ${opts} ${mirrors.debian} ${release} main`,
    `deb ${opts} ${mirrors.debian} ${release}-updates main`,
    `deb ${opts} ${mirrors.security} ${release}-security main`,
  ];
}
