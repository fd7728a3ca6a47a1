import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { InventoryError } from "../errors.js";
import { sameDepthConflicts, type GroupLayer } from "./conflicts.js";
import { issueToError } from "./issues.js";
import { resolveBlock, type ResolveContext } from "./resolve.js";
import { applyDefaults, type HostVars } from "./vars.js";
import { formatPath, YamlSource, type KeyPath } from "./yamlSource.js";

export interface InventoryHost {
  name: string;
  groups: string[];
  // For a host outside the play's group (LoadOptions.requireGroup), only what `all` and the groups the play
  // runs on give it: its own variables and those of groups outside the play are not read.
  vars: HostVars;
}

export interface Inventory {
  file: string;
  hosts: InventoryHost[];
  // Group name → host names, including `all`.
  groups: Record<string, string[]>;
  // Non-fatal findings (e.g. an inline password, a tie between groups) for the CLI to print.
  warnings: string[];
  // What was read and deliberately not used (variables of hosts and groups outside the play); `deploy -v`
  // prints them. Always set by the loader; optional so inventories built in code need not carry it.
  notes?: string[];
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  // The group the play runs on: it must exist and hold at least one host. Variables of hosts and groups
  // outside it are not read (a note says so); without it, every block is read and checked.
  requireGroup?: string;
  // `render --placeholders`: secrets become placeholders naming their variable; no reference is read.
  placeholders?: boolean;
}

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be letters, digits, '.', '_' or '-'");
const rawVars = z.record(z.string(), z.unknown()).nullish();
type RawGroup = {
  hosts?: Record<string, Record<string, unknown> | null | undefined> | null | undefined;
  vars?: Record<string, unknown> | null | undefined;
  children?: Record<string, RawGroup | null> | null | undefined;
};
const groupSchema: z.ZodType<RawGroup> = z.lazy(() =>
  z.strictObject({
    hosts: z.record(name, rawVars).nullish(),
    vars: rawVars,
    children: z.record(name, groupSchema.nullable()).nullish(),
  }),
);
const topSchema = z.strictObject({ all: groupSchema });

// A vars block as written, before anything in it is read: a group's `vars:` or a host's entry.
interface RawBlock {
  kind: "group" | "host";
  name: string;
  depth: number;
  vars: Record<string, unknown>;
  path: KeyPath;
}

// Reads, validates and merges an Ansible-style inventory; every problem is an InventoryError with a location.
export function loadInventory(file: string, options: LoadOptions = {}): Inventory {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new InventoryError(file, undefined, undefined, "", `cannot read inventory (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  const source = YamlSource.parse(file, text);
  const raw = source.toJS();
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
    throw source.error([], "expected a mapping with a top-level `all:` group");
  }
  const parsed = topSchema.safeParse(raw);
  if (!parsed.success) throw issueToError(source, [], parsed.error.issues[0]!);

  const walk: WalkContext = { source, blocks: [], groupHosts: new Map() };
  walkGroup(walk, "all", parsed.data.all, ["all"], 0, []);
  const allHosts = [...walk.groupHosts.get("all")!];
  const groups: Record<string, string[]> = { all: allHosts };
  for (const [g, members] of walk.groupHosts) if (g !== "all") groups[g] = [...members];
  if (options.requireGroup && !(groups[options.requireGroup]?.length)) {
    throw source.error(["all", "children"], `no hosts in group \`${options.requireGroup}\` (the playbooks run on it)`);
  }

  // Only what the play's hosts use is read, so another team's groups never stop a deploy of this one.
  const inPlay = new Set(options.requireGroup ? groups[options.requireGroup] : allHosts);
  const read = (b: RawBlock) =>
    b.kind === "host" ? inPlay.has(b.name) : b.name === "all" || [...walk.groupHosts.get(b.name)!].some((h) => inPlay.has(h));
  const resolveCtx: ResolveContext = { source, baseDir: dirname(path), env: options.env ?? process.env, warnings: [], placeholders: options.placeholders ?? false };
  const notes: string[] = [];
  const layers = new Map<string, GroupLayer[]>();
  const own = new Map<string, { vars: Record<string, unknown>; path: KeyPath }[]>();
  for (const block of walk.blocks) {
    if (!read(block)) {
      notes.push(...ignoredNote(source, block, options.requireGroup));
      continue;
    }
    const vars = resolveBlock(resolveCtx, block.vars, block.path);
    if (block.kind === "group") layers.set(block.name, [...(layers.get(block.name) ?? []), { depth: block.depth, group: block.name, vars, path: block.path }]);
    else own.set(block.name, [...(own.get(block.name) ?? []), { vars, path: block.path }]);
  }

  const hosts: InventoryHost[] = [];
  const merges: { name: string; layers: GroupLayer[]; own: Record<string, unknown> }[] = [];
  for (const hostName of allHosts) {
    const memberOf = [...walk.groupHosts].filter(([, members]) => members.has(hostName)).map(([g]) => g);
    // Ansible precedence: shallower groups first, then by name; the host's own vars last.
    const hostLayers = memberOf.flatMap((g) => layers.get(g) ?? []).sort((a, b) => a.depth - b.depth || a.group.localeCompare(b.group));
    const blocks = own.get(hostName) ?? [];
    const withVars = blocks.filter((b) => Object.keys(b.vars).length > 0);
    if (withVars.length > 1) {
      throw source.error(withVars[1]!.path, `host \`${hostName}\` is defined with variables in two places; keep its variables in one`);
    }
    const ownVars = Object.assign({}, ...blocks.map((b) => b.vars)) as Record<string, unknown>;
    const merged = Object.assign({}, ...hostLayers.map((l) => l.vars), ownVars);
    if (inPlay.has(hostName)) merges.push({ name: hostName, layers: hostLayers, own: ownVars });
    hosts.push({ name: hostName, groups: memberOf.filter((g) => g !== "all"), vars: applyDefaults(hostName, merged) });
  }

  checkAddressesUnique(source, hosts.filter((h) => inPlay.has(h.name)), own);
  const warnings = [...resolveCtx.warnings, ...sameDepthConflicts(source, merges)];
  return { file, hosts, groups, warnings, notes };
}

interface WalkContext {
  source: YamlSource;
  // Every vars block in document order, read later once it is known which hosts the play runs on.
  blocks: RawBlock[];
  groupHosts: Map<string, Set<string>>;
}

// Descends children depth-first, collecting each group's vars block, each host entry and every membership.
function walkGroup(ctx: WalkContext, group: string, node: RawGroup, path: KeyPath, depth: number, ancestors: string[]): void {
  if (ancestors.includes(group)) throw ctx.source.error(path, `group \`${group}\` contains itself`);
  const members = ctx.groupHosts.get(group) ?? new Set<string>();
  ctx.groupHosts.set(group, members);
  if (node.vars) ctx.blocks.push({ kind: "group", name: group, depth, vars: node.vars, path: [...path, "vars"] });
  for (const [hostName, hostVars] of Object.entries(node.hosts ?? {})) {
    ctx.blocks.push({ kind: "host", name: hostName, depth, vars: hostVars ?? {}, path: [...path, "hosts", hostName] });
    for (const g of [group, ...ancestors]) ctx.groupHosts.get(g)!.add(hostName);
  }
  for (const [child, childNode] of Object.entries(node.children ?? {})) {
    const childPath = [...path, "children", child];
    if (child === "all") throw ctx.source.error(childPath, "`all` cannot be a child group");
    walkGroup(ctx, child, childNode ?? {}, childPath, depth + 1, [group, ...ancestors]);
  }
}

// Variables of a host or group the play does not run on are not read at all (neither checked nor their
// secrets resolved); the note lists their names so `-v` shows what was left aside.
function ignoredNote(source: YamlSource, block: RawBlock, playGroup: string | undefined): string[] {
  const names = Object.keys(block.vars);
  if (names.length === 0) return [];
  const pos = source.position(block.path);
  const why = block.kind === "host" ? `host \`${block.name}\` is not in` : `group \`${block.name}\` has no host in`;
  return [`${source.file}:${pos.line}:${pos.col}: ${formatPath(block.path)}: not read (${why} \`${playGroup}\`, the group the play runs on): ${names.join(", ")}`];
}

// Two inventory names for one machine would run two plays against it at once.
function checkAddressesUnique(source: YamlSource, hosts: InventoryHost[], own: Map<string, { path: KeyPath }[]>): void {
  const seen = new Map<string, string>();
  for (const host of hosts) {
    const key = `${host.vars.ansible_host}:${host.vars.ansible_port ?? 22}`;
    const other = seen.get(key);
    if (other) {
      const path = own.get(host.name)![0]!.path;
      throw source.error(path, `host \`${host.name}\` has the same address ${key} as \`${other}\``);
    }
    seen.set(key, host.name);
  }
}
