import { isDeepStrictEqual } from "node:util";
import type { KeyPath, YamlSource } from "./yamlSource.js";

// One group's vars block as it takes part in a host's merge.
export interface GroupLayer {
  depth: number;
  group: string;
  vars: Record<string, unknown>;
  path: KeyPath;
}

interface Conflict {
  variable: string;
  groups: string[];
  winner: GroupLayer;
  hosts: string[];
}

// Two groups at the same depth giving one host different values: Ansible (and this loader) lets the group
// whose name sorts last win, which is rarely what the author meant. A warning names the variable, the groups
// and the hosts, never a value (it may be a secret). A value the host itself or a deeper group sets is not
// decided by the tie and draws no warning.
export function sameDepthConflicts(source: YamlSource, hosts: { name: string; layers: GroupLayer[]; own: Record<string, unknown> }[]): string[] {
  const found = new Map<string, Conflict>();
  for (const host of hosts) {
    const names = new Set(host.layers.flatMap((l) => Object.keys(l.vars)));
    for (const variable of names) {
      if (variable in host.own) continue;
      const setting = host.layers.filter((l) => variable in l.vars);
      const deepest = Math.max(...setting.map((l) => l.depth));
      const tied = setting.filter((l) => l.depth === deepest).sort((a, b) => a.group.localeCompare(b.group));
      const groups = [...new Set(tied.map((l) => l.group))];
      if (groups.length < 2 || tied.every((l) => isDeepStrictEqual(l.vars[variable], tied[0]!.vars[variable]))) continue;
      const key = `${variable}\0${groups.join("\0")}`;
      const conflict = found.get(key) ?? { variable, groups, winner: tied.at(-1)!, hosts: [] };
      conflict.hosts.push(host.name);
      found.set(key, conflict);
    }
  }
  return [...found.values()].map((c) => {
    const pos = source.keyPosition(c.winner.path, c.variable);
    const groups = c.groups.map((g) => `\`${g}\``);
    const list = groups.length === 2 ? groups.join(" and ") : `${groups.slice(0, -1).join(", ")} and ${groups.at(-1)}`;
    return (
      `${source.file}:${pos.line}:${pos.col}: ${c.variable} is set differently by groups ${list} (same depth) for ` +
      `${c.hosts.length === 1 ? "host" : "hosts"} ${c.hosts.join(", ")}; \`${c.winner.group}\` wins (the name that sorts last, as in Ansible): ` +
      `set it in one of them, on the host, or in a deeper group`
    );
  });
}
