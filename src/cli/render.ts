import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { selectHosts } from "../apply/select.js";
import { findPlaybook, withDatabaseHost } from "../core/deploy.js";
import { renderFiles } from "../core/render.js";
import { loadInventory } from "../inventory/load.js";
import { redactor } from "../secrets/redactor.js";

// `render`: offline, no connection; files land in OUT/HOST/<absolute path> with owner-only permissions.
export async function renderCommand(flags: { inventory: string; out: string; limit?: string[]; placeholders?: boolean }): Promise<number> {
  const playbook = await findPlaybook("site");
  const inventory = loadInventory(flags.inventory, { requireGroup: playbook.group, placeholders: flags.placeholders ?? false });
  inventory.warnings.forEach((w) => process.stderr.write(redactor.redact(`warning: ${w}`) + "\n"));
  const hosts = withDatabaseHost(inventory, playbook, selectHosts(inventory, playbook.group, flags.limit));
  for (const { host, files } of renderFiles(playbook, hosts)) {
    for (const f of files) {
      const target = join(flags.out, host, f.path);
      mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
      // Rendered files hold the real passwords, exactly as deploy writes them: keep them private here too.
      writeFileSync(target, f.content, { mode: 0o600 });
      process.stdout.write(`${target} (on host: ${f.owner}:${f.group} ${f.mode.toString(8).padStart(4, "0")})\n`);
    }
  }
  return 0;
}
