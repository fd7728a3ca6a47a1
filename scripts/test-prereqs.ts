// First step of `npm test`: the transport tests start their own OpenSSH server on 127.0.0.1, so a fresh Debian
// machine needs openssh-server (and the client) before anything else runs. As root, install what is missing
// (as `glance-deploy lab` installs its own prerequisites); otherwise stop at once with one line naming it.
import { execFileSync, spawnSync } from "node:child_process";

// The commands the non-lab tests run on this machine, and the Debian package of each.
export const TEST_PACKAGES: Readonly<Record<string, string>> = {
  "/usr/sbin/sshd": "openssh-server",
  ssh: "openssh-client",
  "ssh-keygen": "openssh-client",
};

export type Step = { do: "nothing" } | { do: "install"; packages: string[] } | { do: "stop"; message: string };

// What to do, from who we are and which packages dpkg says are installed.
export function decide(isRoot: boolean, installed: ReadonlySet<string>): Step {
  const missing = [...new Set(Object.values(TEST_PACKAGES))].filter((p) => !installed.has(p));
  if (missing.length === 0) return { do: "nothing" };
  if (isRoot) return { do: "install", packages: missing };
  return { do: "stop", message: `npm test needs ${missing.join(", ")} (the transport tests start their own sshd): run it as root, or first: sudo apt-get install ${missing.join(" ")}` };
}

function installedPackages(names: string[]): Set<string> {
  const r = spawnSync("dpkg-query", ["-W", "-f=${Package} ${db:Status-Status}\\n", ...names], { encoding: "utf8" });
  return new Set((r.stdout ?? "").split("\n").map((l) => l.trim().split(" ")).filter(([, s]) => s === "installed").map(([n]) => n!));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const step = decide(process.getuid?.() === 0, installedPackages([...new Set(Object.values(TEST_PACKAGES))]));
  if (step.do === "stop") {
    process.stderr.write(step.message + "\n");
    process.exit(1);
  }
  if (step.do === "install") {
    process.stderr.write(`npm test: installing ${step.packages.join(" ")}\n`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    execFileSync("apt-get", ["update", "-q"], { stdio: "inherit", env });
    execFileSync("apt-get", ["install", "-y", "-q", "--no-install-recommends", ...step.packages], { stdio: "inherit", env });
  }
}
