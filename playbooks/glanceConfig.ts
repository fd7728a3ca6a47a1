import type { HostVars } from "../src/inventory/vars.js";
import type { RenderedFile } from "../src/plan/types.js";
import { setIniValues, type IniValues } from "../src/render/ini.js";
import { renderTemplate } from "../src/render/template.js";

export const GLANCE_API_CONF = "/etc/glance/glance-api.conf";

// The guide's glance-api.conf from the template, then the operator's overrides applied key by key.
export function glanceApiConf(vars: HostVars): RenderedFile {
  const base = renderTemplate("glance-api.conf.hbs", vars);
  const overrides = (vars.glance_api_conf_overrides ?? {}) as IniValues;
  return {
    path: GLANCE_API_CONF,
    content: Object.keys(overrides).length ? setIniValues(base, overrides) : base,
    mode: 0o640,
    owner: "root",
    group: "glance",
  };
}
