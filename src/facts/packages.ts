import { quote } from "shlex";
import type { FactSpec } from "./batch.js";

// Installed state of a set of packages, in one dpkg-query (packages never heard of count as missing).
export function packagesFact(names: string[]): FactSpec<Map<string, string>> {
  return {
    key: `packages:${names.join(",")}`,
    command: `dpkg-query -W -f='\${Package} \${db:Status-Abbrev} \${Version}\\n' ${names.map((n) => quote(n)).join(" ")}`,
    parse(stdout) {
      const installed = new Map<string, string>();
      for (const line of stdout.split("\n")) {
        const [name, status, version] = line.trim().split(/\s+/);
        if (name && status === "ii" && version) installed.set(name.replace(/:.*$/, ""), version);
      }
      return installed;
    },
  };
}
