import type { Backend } from "../inventory/vars/backends.js";
import type { HostVars } from "../inventory/vars.js";
import type { IniValues } from "../render/ini.js";
import type { ReleaseProfile } from "../profiles/index.js";

// One Glance store backend type: what enabling it needs on a glance-api host. A new type is one file here plus
// its data-driven test; playbooks and the config renderer ask the registry, never the type itself.
export interface StoreModule {
  type: Backend["type"];
  // Whether images can be uploaded to it (the default backend must be; `http` is read-only).
  writable: boolean;
  // Packages beyond glance itself (e.g. a client library for an object store).
  packages(profile: ReleaseProfile): string[];
  // The backend's own `[id]` section of glance-api.conf (empty when the type needs none).
  section(backend: Backend, vars: HostVars): IniValues[string];
  // Directories glance must own for this backend (created glance:glance 0750).
  directories(backend: Backend, vars: HostVars): string[];
}
