import { readFile } from "node:fs/promises";
import { UsageError } from "../errors.js";
import { withFileLock } from "./flock.js";
import { MACHINE_LOCK_DIR } from "./paths.js";
import { probe, run } from "./run.js";

// The machine must be root and have a handful of Debian packages; the lab installs what is missing.

// Each command the lab runs on the machine, and the Debian package that provides it.
export const REQUIRED_PACKAGES: Readonly<Record<string, string>> = {
  mmdebstrap: "mmdebstrap",
  "systemd-nspawn": "systemd-container",
  "apt-ftparchive": "apt-utils",
  ssh: "openssh-client",
  "ssh-keygen": "openssh-client",
  "qemu-img": "qemu-utils",
  ip: "iproute2",
  flock: "util-linux",
};

// Everything below needs CAP_SYS_ADMIN and friends; say so before anything half-happens.
export function assertRoot(): void {
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    throw new UsageError(
      "glance-deploy lab must run as root: it creates a bridge, mounts overlay file systems and starts systemd-nspawn containers (try: sudo glance-deploy lab …)",
    );
  }
}

// Which of the packages are not installed, asked of dpkg itself (a command on PATH could come from elsewhere).
export async function missingPackages(packages: readonly string[]): Promise<string[]> {
  const unique = [...new Set(packages)];
  const result = await probe("dpkg-query", ["-W", "-f=${Package} ${db:Status-Status}\\n", ...unique]);
  if (result.code === -1) throw new UsageError("glance-deploy lab needs a Debian machine with dpkg and apt-get (dpkg-query was not found)");
  const installed = new Set(
    result.stdout
      .split("\n")
      .map((l) => l.trim().split(" "))
      .filter(([, status]) => status === "installed")
      .map(([name]) => name),
  );
  return unique.filter((p) => !installed.has(p));
}

// Installs missing prerequisites unattended (no TTY needed), or explains exactly what is missing.
export async function ensurePrerequisites(log: (line: string) => void): Promise<void> {
  assertRoot();
  if ((await missingPackages(Object.values(REQUIRED_PACKAGES))).length === 0) return;
  // Two labs starting on a fresh machine would otherwise run apt-get at once, and one would fail on dpkg's lock.
  const lock = `${MACHINE_LOCK_DIR}/lab-packages.lock`;
  await withFileLock(lock, { what: "the lab's package installation", timeoutMs: 30 * 60_000, onWait: () => log("lab: waiting for another lab installing packages") }, () =>
    installPrerequisites(log),
  );
}

// Under the lock: asks again, since the lab that held it may have installed everything already.
async function installPrerequisites(log: (line: string) => void): Promise<void> {
  const missing = await missingPackages(Object.values(REQUIRED_PACKAGES));
  if (missing.length === 0) return;
  log(`installing missing Debian packages: ${missing.join(" ")}`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  try {
    await run("apt-get", ["update", "-q"], { env });
    await run("apt-get", ["install", "-y", "-q", "--no-install-recommends", ...missing], { env });
  } catch (error) {
    throw new UsageError(`glance-deploy lab needs the Debian packages ${missing.join(", ")}, and installing them failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const still = await missingPackages(missing);
  if (still.length > 0) throw new UsageError(`glance-deploy lab needs the Debian packages ${still.join(", ")}; apt-get did not install them`);
}

// overlayfs gives every host a fresh root in milliseconds; without it the lab would copy 230 MB per host.
export async function ensureOverlaySupport(): Promise<void> {
  const has = async () => (await readFile("/proc/filesystems", "utf8")).split("\n").some((l) => l.trim().endsWith("overlay"));
  if (await has()) return;
  await probe("modprobe", ["overlay"]);
  if (!(await has())) throw new UsageError("glance-deploy lab needs overlayfs support in the kernel (modprobe overlay failed)");
}
