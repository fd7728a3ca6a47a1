import { createHash } from "node:crypto";
import { quote } from "shlex";
import { fileFact } from "../facts/files.js";
import type { HostVars } from "../inventory/vars.js";
import { fileDiff } from "../plan/diff.js";
import { write } from "../plan/actions.js";
import { noChange, type RenderedFile, type Task } from "../plan/types.js";


export interface FileTaskOptions {
  name: string;
  tags: string[];
  notify?: string[];
  // Computes the file offline from variables alone, so `render` writes exactly what deploy writes.
  render: (vars: HostVars) => RenderedFile;
}

// A whole file owned by the tool: written atomically when content, mode or owner differ.
export function file(options: FileTaskOptions): Task {
  return {
    name: options.name,
    tags: options.tags,
    ...(options.notify ? { notify: options.notify } : {}),
    facts: (vars) => [fileFact(options.render(vars).path)],
    render: (vars) => [options.render(vars)],
    async check(ctx) {
      const want = options.render(ctx.vars);
      const have = await ctx.facts.get(fileFact(want.path));
      const sha = createHash("sha256").update(want.content).digest("hex");
      const contentSame = have.exists && have.sha256 === sha;
      const metaSame = have.exists && have.mode === want.mode && have.owner === want.owner && have.group === want.group;
      if (contentSame && metaSame) return noChange;
      let diff: string | undefined;
      if (!contentSame) {
        const before = have.exists ? (await ctx.t.exec(`cat ${quote(want.path)}`)).stdout : undefined;
        diff = await fileDiff(want.path, before, want.content);
      }
      const what = !have.exists ? "create" : !contentSame ? "update" : "fix mode/owner of";
      return {
        change: true,
        summary: `${what} ${want.path} (${want.owner}:${want.group} ${want.mode.toString(8).padStart(4, "0")})`,
        ...(diff ? { diff } : {}),
        actions: [write(want)],
      };
    },
  };
}
