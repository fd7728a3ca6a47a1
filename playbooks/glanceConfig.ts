import type { HostVars } from "../src/inventory/vars.js";
import type { RenderedFile } from "../src/plan/types.js";
import { setIniValues, type IniValues } from "../src/render/ini.js";
import { renderTemplate } from "../src/render/template.js";
import { profileFor } from "../src/profiles/index.js";


// The guide's glance-api.conf from the template, then the operator's overrides applied key by key.
export function glanceApiConf(vars: HostVars): RenderedFile {
  const profile = profileFor(vars);
  const base = renderTemplate(profile.templates.glanceApiConf, vars);
  const overrides = (vars.glance_api_conf_overrides ?? {}) as IniValues;
  return {
    path: profile.paths.glanceApiConf,
    content: Object.keys(overrides).length ? setIniValues(base, overrides) : base,
    mode: 0o640,
    owner: "root",
    group: "glance",
  };
}
