import { quote } from "shlex";
import type { FactSpec } from "../facts/batch.js";
import type { HostVars } from "../inventory/vars.js";
import { fileDiff } from "../plan/diff.js";
import { noChange, type Task } from "../plan/types.js";
import { setIniValues, type IniValues } from "../render/ini.js";

export interface FileContent {
  exists: boolean;
  content: string;
  mode?: number;
  owner?: string;
  group?: string;
}

// Whole content plus ownership of a file the package owns and we only adjust.
export function fileContentFact(path: string): FactSpec<FileContent> {
  return {
    key: `content:${path}`,
    command: `stat -c '%a %U %G' ${quote(path)} && cat ${quote(path)}`,
    parse(stdout, code) {
      if (code !== 0) return { exists: false, content: "" };
      const nl = stdout.indexOf("\n");
      const [mode = "644", owner, group] = stdout.slice(0, nl).split(" ");
      return { exists: true, content: stdout.slice(nl + 1), mode: parseInt(mode, 8), owner, group } as FileContent;
    },
  };
}

export interface EditFileOptions {
  name: string;
  tags: string[];
  path: string;
  notify?: string[];
  // Pure function of the current content: the same input must give the same output (idempotence).
  edit: (content: string, vars: HostVars) => string;
  // Ownership used when the file has to be created.
  create?: { mode: number; owner: string; group: string };
}

// Adjusts a file in place (keeping the package's other lines), preserving its mode and owner.
export function editFile(options: EditFileOptions): Task {
  const fact = fileContentFact(options.path);
  return {
    name: options.name,
    tags: options.tags,
    ...(options.notify ? { notify: options.notify } : {}),
    facts: () => [fact],
    async check(ctx) {
      const have = await ctx.facts.get(fact);
      if (!have.exists && !options.create) throw new Error(`${options.path} does not exist (is its package installed?)`);
      const want = options.edit(have.content, ctx.vars);
      if (have.exists && want === have.content) return noChange;
      const meta = have.exists ? { mode: have.mode!, owner: have.owner!, group: have.group! } : options.create!;
      return {
        change: true,
        summary: `${have.exists ? "update" : "create"} ${options.path}`,
        diff: await fileDiff(options.path, have.exists ? have.content : undefined, want),
        apply: () => ctx.t.writeFile(options.path, want, meta),
      };
    },
  };
}

// INI keys set inside an existing config file (oslo.config dialect), every other line left as shipped.
export function iniSettings(options: Omit<EditFileOptions, "edit"> & { values: (vars: HostVars) => IniValues }): Task {
  return editFile({ ...options, edit: (content, vars) => setIniValues(content, options.values(vars)) });
}
