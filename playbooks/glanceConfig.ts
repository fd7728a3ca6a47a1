import type { HostVars } from "../src/inventory/vars.js";
import type { RenderedFile } from "../src/plan/types.js";
import { profileFor } from "../src/profiles/index.js";
import { setIniValues, type IniValues } from "../src/render/ini.js";
import { renderTemplate } from "../src/render/template.js";
import { backendSections, defaultBackendProblem, enabledBackends } from "../src/stores/index.js";
import { UsageError } from "../src/errors.js";

// The guide's glance-api.conf from the template (2025.1's multi-store form: enabled_backends, default_backend,
// staging and tasks stores), each backend's `[id]` section from its store module, then the operator's overrides
// key by key.
export function glanceApiConf(vars: HostVars): RenderedFile {
  const problem = defaultBackendProblem(vars);
  if (problem) throw new UsageError(problem);
  const profile = profileFor(vars);
  const base = renderTemplate(profile.templates.glanceApiConf, { ...vars, glance_enabled_backends: enabledBackends(vars) });
  const overrides = (vars.glance_api_conf_overrides ?? {}) as IniValues;
  return {
    path: profile.paths.glanceApiConf,
    content: setIniValues(setIniValues(base, backendSections(vars)), overrides),
    mode: 0o640,
    owner: "root",
    group: "glance",
  };
}
