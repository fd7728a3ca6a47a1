import { ansibleAliases } from "./vars/ansible.js";
import { applyDefaults, varSections, type VarSection } from "./vars.js";

// The README's variable reference, generated from the same tables that validate inventories: one
// sub-table per section, in the order defaults are filled.
export function varsMarkdownTable(): string {
  // Derived defaults are shown as they come out for a host with no variables set, so the README can
  // never disagree with what applyDefaults actually computes.
  const sample: Record<string, unknown> = applyDefaults("<ansible_host>", {});
  return [...varSections.map((section) => sectionTable(section, sample)), aliasTable()].join("\n\n");
}

function aliasTable(): string {
  const rows = Object.entries(ansibleAliases).map(([alias, name]) => `| \`${alias}\` | \`${name}\` |`);
  return ["#### Ansible's other names", "", "Read as the variable they stand for, at the same place in the inventory.", "", "| Variable | Same as |", "|---|---|", ...rows].join("\n");
}

function sectionTable(section: VarSection, sample: Record<string, unknown>): string {
  const rows = Object.entries(section.specs).map(([name, spec]) => {
    let def: string;
    if (typeof spec.default === "function") def = `\`${String(sample[name])}\``;
    else if (spec.default === undefined) def = name === "ansible_host" ? "the host's name" : spec.secret ? "— (secret)" : "—";
    else def = `\`${JSON.stringify(spec.default)}\``;
    return `| \`${name}\` | ${def} | ${spec.doc} |`;
  });
  return [`#### ${section.title}`, "", "| Variable | Default | Meaning |", "|---|---|---|", ...rows].join("\n");
}
