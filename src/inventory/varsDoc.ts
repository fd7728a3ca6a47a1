import { varSpecs } from "./vars.js";

// The README's variable reference, generated from the same table that validates inventories.
export function varsMarkdownTable(): string {
  const sample: Record<string, unknown> = { ansible_host: "<ansible_host>", controller_host: "controller", memcached_port: 11211 };
  const rows = Object.entries(varSpecs).map(([name, spec]) => {
    const s = spec as { default?: unknown; doc: string; secret?: boolean };
    let def: string;
    if (typeof s.default === "function") def = `\`${String((s.default as (v: Record<string, unknown>) => unknown)(sample))}\``;
    else if (s.default === undefined) def = name === "ansible_host" ? "the host's name" : s.secret ? "— (secret)" : "—";
    else def = `\`${JSON.stringify(s.default)}\``;
    return `| \`${name}\` | ${def} | ${s.doc} |`;
  });
  return ["| Variable | Default | Meaning |", "|---|---|---|", ...rows].join("\n");
}
