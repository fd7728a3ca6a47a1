import type { Backend } from "../inventory/vars/backends.js";
import type { HostVars } from "../inventory/vars.js";
import type { IniValues } from "../render/ini.js";
import { fileStore } from "./file.js";
import { httpStore } from "./http.js";
import type { StoreModule } from "./types.js";

export type { StoreModule } from "./types.js";

const modules: Record<Backend["type"], StoreModule> = { file: fileStore, http: httpStore };

export const storeModule = (backend: Backend): StoreModule => modules[backend.type];

// `[DEFAULT] enabled_backends`, in the inventory's order.
export function enabledBackends(vars: HostVars): string {
  return vars.glance_backends.map((b) => `${b.id}:${b.type}`).join(", ");
}

// Each backend's own section, keyed by its id (types that need none get none).
export function backendSections(vars: HostVars): IniValues {
  const out: IniValues = {};
  for (const b of vars.glance_backends) {
    const section = storeModule(b).section(b, vars);
    if (Object.keys(section).length) out[b.id] = section;
  }
  return out;
}

// Directories glance must own: every backend's, then the staging and tasks stores'.
export function storeDirectories(vars: HostVars): string[] {
  return [...vars.glance_backends.flatMap((b) => storeModule(b).directories(b, vars)), vars.glance_staging_dir, vars.glance_tasks_dir];
}

// The default backend must be one of the list and writable; said at load time would need the whole list, so the
// playbook's preflight and render both ask here.
export function defaultBackendProblem(vars: HostVars): string | undefined {
  const chosen = vars.glance_backends.find((b) => b.id === vars.glance_default_backend);
  if (!chosen) return `glance_default_backend ${vars.glance_default_backend} is not the id of a backend in glance_backends (${vars.glance_backends.map((b) => b.id).join(", ")})`;
  if (!storeModule(chosen).writable) return `glance_default_backend ${chosen.id} is a ${chosen.type} backend, which is read-only: choose a writable one`;
  return undefined;
}
