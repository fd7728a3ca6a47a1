import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Handlebars from "handlebars";
import type { HostVars } from "../inventory/vars.js";
import { iniValue, urlComponent } from "./ini.js";
import { packageRoot } from "./root.js";

// An isolated Handlebars: no HTML escaping (these are config files), strict so a typo'd variable fails
// instead of rendering an empty value, and only our helpers registered.
const hbs = Handlebars.create();
hbs.registerHelper("ini", (value: unknown) => iniValue(value as string));
// Passwords inside URLs: percent-encode everything outside the unreserved set; nothing is left to escape.
hbs.registerHelper("url", (value: unknown) => urlComponent(String(value)));

const cache = new Map<string, HandlebarsTemplateDelegate>();

// Renders templates/NAME (or the operator's glance_template_dir/NAME) with the host's variables.
export function renderTemplate(name: string, vars: HostVars & Record<string, unknown>): string {
  const dir = vars.glance_template_dir ?? join(packageRoot(), "templates");
  const path = join(dir, name);
  let template = cache.get(path);
  if (!template) {
    if (!existsSync(path)) throw new Error(`template ${path} not found`);
    template = hbs.compile(readFileSync(path, "utf8"), { noEscape: true, strict: true });
    cache.set(path, template);
  }
  return template(vars);
}
