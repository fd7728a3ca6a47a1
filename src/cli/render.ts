import { join } from "node:path";
import { selectHosts } from "../apply/select.js";
import { findPlaybook, withDatabaseHost } from "../core/deploy.js";
import { renderFiles } from "../core/render.js";
import { loadInventory } from "../inventory/load.js";
import { redactor } from "../secrets/redactor.js";
import { prepareOut, writePrivate } from "./privateTree.js";

// `render`: offline, no connection; files land in OUT/HOST/<absolute path>, owner-only (see privateTree.ts).
export async function renderCommand(flags: { inventory: string; out: string; limit?: string[]; placeholders?: boolean }): Promise<number> {
  const playbook = await findPlaybook("site");
  const inventory = loadInventory(flags.inventory, { requireGroup: playbook.group, placeholders: flags.placeholders ?? false });
  inventory.warnings.forEach((w) => process.stderr.write(redactor.redact(`warning: ${w}`) + "\n"));
  const hosts = withDatabaseHost(inventory, playbook, selectHosts(inventory, playbook.group, flags.limit));
  const rendered = renderFiles(playbook, hosts);
  // Checked before anything is written: a file or an unusable place as OUT is one line (exit 5).
  const root = prepareOut(flags.out);
  for (const { host, files } of rendered) {
    for (const f of files) {
      // Rendered files hold the real passwords, exactly as deploy writes them: keep them private here too.
      writePrivate(flags.out, root, join(host, f.path), f.content);
      process.stdout.write(`${join(flags.out, host, f.path)} (on host: ${f.owner}:${f.group} ${f.mode.toString(8).padStart(4, "0")})\n`);
    }
  }
  return 0;
}
