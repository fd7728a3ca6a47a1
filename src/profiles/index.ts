import type { HostVars } from "../inventory/vars.js";
import { bookworm } from "./bookworm.js";
import { trixie } from "./trixie.js";
import type { ReleaseProfile } from "./types.js";

export type { ReleaseProfile } from "./types.js";

// One profile per supported Debian release, oldest first; the inventory's `os_release` enum is checked against
// the same list.
export const profiles: Record<string, ReleaseProfile> = { bookworm, trixie };

// What `render` assumes when the inventory names no release.
export const DEFAULT_RELEASE = "bookworm";

export function supportedReleases(): string[] {
  return Object.keys(profiles);
}

// The profile for a host's variables: the declared (or, on deploy, detected) release.
export function profileFor(vars: Pick<HostVars, "os_release">): ReleaseProfile {
  const release = vars.os_release ?? DEFAULT_RELEASE;
  const profile = profiles[release];
  if (!profile) throw new Error(`no profile for Debian release ${release}; supported: ${supportedReleases().join(", ")}`);
  return profile;
}
