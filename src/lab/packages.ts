import { createHash } from "node:crypto";
import { UsageError } from "../errors.js";
import { profiles, supportedReleases } from "../profiles/index.js";

// What the lab's Debian hosts are made of; the cache key covers all of it so any change rebuilds.

// The release `lab up` builds when none is asked for: Debian's current stable.
export const DEFAULT_LAB_RELEASE = "trixie";

// Installed into the base root filesystem: a booting, SSH-reachable host with sudo for the `deployer` user.
export const BASE_PACKAGES = ["systemd", "systemd-sysv", "dbus", "openssh-server", "iproute2", "sudo", "iputils-ping"] as const;

// Offered by the lab's repository besides what the release's profile installs: packages tests and operators use
// on lab hosts (an offline install of curl, qemu-img for test images, python3-apt for apt tooling), and sudo.
export const LAB_EXTRA_PACKAGES = ["qemu-utils", "curl", "python3-apt", "sudo"] as const;

// Bumped whenever the way base or repository are built changes, so old caches are not reused by new code.
// 2: the repository also holds the base's own packages (what `lab upgrade` needs).
export const CACHE_FORMAT = 2;

export interface CacheSpec {
  release: string;
  basePackages: readonly string[];
  repoPackages: readonly string[];
}

// A release the lab can build: one with a profile. Anything else is the operator's input error.
export function labRelease(release: string | undefined): string {
  const r = release ?? DEFAULT_LAB_RELEASE;
  if (!profiles[r]) throw new UsageError(`--release ${r}: the lab builds the supported Debian releases only: ${supportedReleases().join(", ")}`);
  return r;
}

// Offered by the lab's apt repository (with their full dependency closure): everything the release's profile
// installs, read from the profile so the playbooks and the lab never disagree, plus the lab's extras.
export function repoPackages(release: string): string[] {
  const profile = profiles[labRelease(release)]!;
  return [...new Set([...Object.values(profile.packages).flat(), ...LAB_EXTRA_PACKAGES])];
}

// The spec `lab up` uses; tests vary it to check the key.
export function defaultCacheSpec(release = DEFAULT_LAB_RELEASE): CacheSpec {
  return { release, basePackages: [...BASE_PACKAGES], repoPackages: repoPackages(release) };
}

// Order-insensitive: the same set of packages is the same cache however the list is written.
export function cacheKey(spec: CacheSpec): string {
  const canonical = JSON.stringify({
    format: CACHE_FORMAT,
    release: spec.release,
    base: [...new Set(spec.basePackages)].sort(),
    repo: [...new Set(spec.repoPackages)].sort(),
  });
  return `${spec.release}-${createHash("sha256").update(canonical).digest("hex").slice(0, 16)}`;
}
