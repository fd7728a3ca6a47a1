import type { FactSpec } from "./batch.js";

export interface OsRelease {
  id?: string;
  codename?: string;
  versionId?: string;
}

// The host's Debian release from /etc/os-release (VERSION_CODENAME), which selects the release profile.
export const osReleaseFact: FactSpec<OsRelease> = {
  key: "os-release",
  command: "cat /etc/os-release",
  parse(stdout) {
    const values = new Map<string, string>();
    for (const line of stdout.split("\n")) {
      const m = /^([A-Z_]+)=("?)(.*)\2$/.exec(line.trim());
      if (m) values.set(m[1]!, m[3]!);
    }
    const pick = (k: string) => values.get(k) || undefined;
    const out: OsRelease = {};
    const id = pick("ID");
    const codename = pick("VERSION_CODENAME");
    const versionId = pick("VERSION_ID");
    if (id) out.id = id;
    if (codename) out.codename = codename;
    if (versionId) out.versionId = versionId;
    return out;
  },
};
