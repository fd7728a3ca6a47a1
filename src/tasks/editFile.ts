import { fileContentFact } from "../facts/files.js";
import type { HostVars } from "../inventory/vars.js";
import { fileDiff } from "../plan/diff.js";
import { write } from "../plan/actions.js";
import { noChange, type Task } from "../plan/types.js";
import { setIniValues, type IniValues } from "../render/ini.js";

export interface EditFileOptions {
  name: string;
  tags: string[];
  // A path, or the release profile's path for the host's variables.
  path: string | ((vars: HostVars) => string);
  notify?: string[];
  // Pure function of the current content: the same input must give the same output (idempotence).
  edit: (content: string, vars: HostVars) => string;
  // Ownership used when the file has to be created.
  create?: { mode: number; owner: string; group: string };
}

// Adjusts a file in place (keeping the package's other lines), preserving its mode and owner.
export function editFile(options: EditFileOptions): Task {
  const pathOf = (v: HostVars) => (typeof options.path === "function" ? options.path(v) : options.path);
  return {
    name: options.name,
    tags: options.tags,
    ...(options.notify ? { notify: options.notify } : {}),
    facts: (v) => [fileContentFact(pathOf(v))],
    async check(ctx) {
      const path = pathOf(ctx.vars);
      const have = await ctx.facts.get(fileContentFact(path));
      if (!have.exists && !options.create) throw new Error(`${path} does not exist (is its package installed?)`);
      const want = options.edit(have.content, ctx.vars);
      if (have.exists && want === have.content) return noChange;
      const meta = have.exists ? { mode: have.mode!, owner: have.owner!, group: have.group! } : options.create!;
      return {
        change: true,
        summary: `${have.exists ? "update" : "create"} ${path}`,
        diff: await fileDiff(path, have.exists ? have.content : undefined, want),
        actions: [write({ path: path, content: want, ...meta })],
      };
    },
  };
}

// INI keys set inside an existing config file (oslo.config dialect), every other line left as shipped.
export function iniSettings(options: Omit<EditFileOptions, "edit"> & { values: (vars: HostVars) => IniValues }): Task {
  return editFile({ ...options, edit: (content, vars) => setIniValues(content, options.values(vars)) });
}
