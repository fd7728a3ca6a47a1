import { quote } from "shlex";
import { directoryFact } from "../facts/files.js";
import type { HostVars } from "../inventory/vars.js";
import { exec } from "../plan/actions.js";
import { valueDiff } from "../plan/diff.js";
import { noChange, type Task } from "../plan/types.js";

export interface DirectoryOptions {
  name: string;
  tags: string[];
  // The directories (e.g. every store directory of the host's variables).
  paths: (vars: HostVars) => string[];
  mode: number;
  owner: string;
  group: string;
}

// Directories that exist with the given owner and mode; something else standing at a path is an error, never
// replaced.
export function directories(options: DirectoryOptions): Task {
  const want = `${options.mode.toString(8).padStart(4, "0")} ${options.owner}:${options.group}`;
  return {
    name: options.name,
    tags: options.tags,
    facts: (v) => options.paths(v).map(directoryFact),
    async check(ctx) {
      const wrong: { path: string; have: string }[] = [];
      for (const path of options.paths(ctx.vars)) {
        const s = await ctx.facts.get(directoryFact(path));
        if (s.kind !== undefined && s.kind !== "directory") throw new Error(`${path} is a ${s.kind}, not a directory: move it away`);
        const have = s.kind ? `${s.mode!.toString(8).padStart(4, "0")} ${s.owner}:${s.group}` : "missing";
        if (have !== want) wrong.push({ path, have });
      }
      if (wrong.length === 0) return noChange;
      const m = options.mode.toString(8).padStart(4, "0");
      return {
        change: true,
        summary: wrong.map((w) => `${w.have === "missing" ? "create" : "fix"} ${w.path}`).join(", "),
        diff: wrong.map((w) => valueDiff(w.path, w.have, want)).join("\n"),
        actions: wrong.map((w) => exec(`mkdir -p ${quote(w.path)} && chown ${quote(`${options.owner}:${options.group}`)} ${quote(w.path)} && chmod ${m} ${quote(w.path)}`, { what: `directory ${w.path}` })),
      };
    },
  };
}
