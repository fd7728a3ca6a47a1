import { createHash } from "node:crypto";

// What the lab's Debian hosts are made of; the cache key covers all of it so any change rebuilds.

export const DEFAULT_RELEASE = "bookworm";

// Installed into the base root filesystem: a booting, SSH-reachable host with sudo for the `deployer` user.
export const BASE_PACKAGES = ["systemd", "systemd-sysv", "dbus", "openssh-server", "iproute2", "sudo", "iputils-ping"] as const;

// Offered by the lab's apt repository (with their full dependency closure): everything the playbooks install.
export const REPO_PACKAGES = [
  "mariadb-server",
  "python3-pymysql",
  "memcached",
  "python3-memcache",
  "keystone",
  "glance",
  "python3-openstackclient",
  "python3-glanceclient",
  "qemu-utils",
  "curl",
  "python3-apt",
  "sudo",
] as const;

// Bumped whenever the way base or repository are built changes, so old caches are not reused by new code.
export const CACHE_FORMAT = 1;

export interface CacheSpec {
  release: string;
  basePackages: readonly string[];
  repoPackages: readonly string[];
}

// The spec `lab up` uses; tests vary it to check the key.
export function defaultCacheSpec(release = DEFAULT_RELEASE): CacheSpec {
  return { release, basePackages: [...BASE_PACKAGES], repoPackages: [...REPO_PACKAGES] };
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
