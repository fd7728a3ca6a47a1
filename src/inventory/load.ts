import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { InventoryError } from "../errors.js";
import { redactor } from "../secrets/redactor.js";
import { isSecretRef, looksLikeSecretRef, resolveSecretRef } from "./secretRef.js";
import { applyDefaults, secretVarNames, varsBlockSchema, type HostVars } from "./vars.js";
import { YamlSource, type KeyPath } from "./yamlSource.js";

export interface InventoryHost {
  name: string;
  groups: string[];
  vars: HostVars;
}

export interface Inventory {
  file: string;
  hosts: InventoryHost[];
  // Group name → host names, including `all`.
  groups: Record<string, string[]>;
  // Non-fatal findings (e.g. an inline password) for the CLI to print.
  warnings: string[];
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  // Group that must exist and hold at least one host (the playbooks target it).
  requireGroup?: string;
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

interface VarsBlock {
  depth: number;
  group: string;
  vars: Record<string, unknown>;
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

  const ctx: WalkContext = {
    source,
    baseDir: dirname(path),
    env: options.env ?? process.env,
    warnings: [],
    hostBlocks: new Map(),
    groupBlocks: new Map(),
    groupHosts: new Map(),
    seenGroups: new Map(),
  };
  walkGroup(ctx, "all", parsed.data.all, ["all"], 0, []);

  const hosts: InventoryHost[] = [];
  for (const [hostName, blocks] of ctx.hostBlocks) {
    const groups = [...ctx.groupHosts].filter(([, members]) => members.has(hostName)).map(([g]) => g);
    // Ansible precedence: shallower groups first, then by name; the host's own vars last.
    const layers = groups
      .flatMap((g) => ctx.groupBlocks.get(g) ?? [])
      .sort((a, b) => a.depth - b.depth || a.group.localeCompare(b.group));
    const merged = Object.assign({}, ...layers.map((l) => l.vars), ...blocks.map((b) => b.vars));
    hosts.push({ name: hostName, groups: groups.filter((g) => g !== "all"), vars: applyDefaults(hostName, merged) });
  }

  checkAddressesUnique(source, hosts, ctx);
  const groups: Record<string, string[]> = { all: hosts.map((h) => h.name) };
  for (const [g, members] of ctx.groupHosts) if (g !== "all") groups[g] = [...members];
  if (options.requireGroup && !(groups[options.requireGroup]?.length)) {
    throw source.error(["all", "children"], `no hosts in group \`${options.requireGroup}\` (the playbooks run on it)`);
  }
  return { file, hosts, groups, warnings: ctx.warnings };
}

interface WalkContext {
  source: YamlSource;
  baseDir: string;
  env: NodeJS.ProcessEnv;
  warnings: string[];
  hostBlocks: Map<string, { vars: Record<string, unknown>; path: KeyPath }[]>;
  groupBlocks: Map<string, VarsBlock[]>;
  groupHosts: Map<string, Set<string>>;
  seenGroups: Map<string, KeyPath>;
}

// Descends children depth-first, collecting each group's vars and every host's own vars with their paths.
function walkGroup(ctx: WalkContext, group: string, node: RawGroup, path: KeyPath, depth: number, ancestors: string[]): void {
  if (ancestors.includes(group)) throw ctx.source.error(path, `group \`${group}\` contains itself`);
  const members = ctx.groupHosts.get(group) ?? new Set<string>();
  ctx.groupHosts.set(group, members);
  if (node.vars) {
    const vars = resolveBlock(ctx, node.vars, [...path, "vars"]);
    const blocks = ctx.groupBlocks.get(group) ?? [];
    blocks.push({ depth, group, vars });
    ctx.groupBlocks.set(group, blocks);
  }
  for (const [hostName, hostVars] of Object.entries(node.hosts ?? {})) {
    const hostPath = [...path, "hosts", hostName];
    const vars = hostVars ? resolveBlock(ctx, hostVars, hostPath) : {};
    const blocks = ctx.hostBlocks.get(hostName) ?? [];
    if (hostVars && blocks.some((b) => Object.keys(b.vars).length > 0)) {
      throw ctx.source.error(hostPath, `host \`${hostName}\` is defined with variables in two places; keep its variables in one`);
    }
    blocks.push({ vars, path: hostPath });
    ctx.hostBlocks.set(hostName, blocks);
    for (const g of [group, ...ancestors]) ctx.groupHosts.get(g)!.add(hostName);
  }
  for (const [child, childNode] of Object.entries(node.children ?? {})) {
    const childPath = [...path, "children", child];
    if (child === "all") throw ctx.source.error(childPath, "`all` cannot be a child group");
    walkGroup(ctx, child, childNode ?? {}, childPath, depth + 1, [group, ...ancestors]);
  }
}

// Resolves secret references in one vars block, then validates it against the variable table.
function resolveBlock(ctx: WalkContext, block: Record<string, unknown>, path: KeyPath): Record<string, unknown> {
  const resolved: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(block)) {
    if (isSecretRef(value)) {
      try {
        const secret = resolveSecretRef(value, ctx.baseDir, ctx.env);
        redactor.add(secret);
        resolved[key] = secret;
      } catch (error) {
        throw ctx.source.error([...path, key], (error as Error).message);
      }
    } else if (looksLikeSecretRef(value)) {
      throw ctx.source.error([...path, key], "a secret reference is `{ env: NAME }` or `{ file: PATH }` with exactly one non-empty key");
    } else {
      if ((secretVarNames as string[]).includes(key) && typeof value === "string") {
        redactor.add(value);
        const pos = ctx.source.position([...path, key]);
        ctx.warnings.push(`${ctx.source.file}:${pos.line}:${pos.col}: ${key} is written inline; prefer { env: NAME } or { file: PATH }`);
      }
      resolved[key] = value;
    }
  }
  const parsed = varsBlockSchema.safeParse(resolved);
  if (!parsed.success) throw issueToError(ctx.source, path, parsed.error.issues[0]!);
  return Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined));
}

// Two inventory names for one machine would run two plays against it at once.
function checkAddressesUnique(source: YamlSource, hosts: InventoryHost[], ctx: WalkContext): void {
  const seen = new Map<string, string>();
  for (const host of hosts) {
    const key = `${host.vars.ansible_host}:${host.vars.ansible_port}`;
    const other = seen.get(key);
    if (other) {
      const path = ctx.hostBlocks.get(host.name)![0]!.path;
      throw source.error(path, `host \`${host.name}\` has the same address ${key} as \`${other}\``);
    }
    seen.set(key, host.name);
  }
}

// Turns a zod issue into a located message that says what was expected, never echoing a value.
function issueToError(source: YamlSource, base: KeyPath, issue: z.core.$ZodIssue): InventoryError {
  const path = [...base, ...(issue.path as KeyPath)];
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0]!;
    const known = base.at(-1) === "vars" || base.at(-2) === "hosts" ? "not a known variable (see README: Inventory variables)" : "unknown key";
    return source.error(path, known, key);
  }
  if (issue.code === "invalid_key") {
    // A bad key (host, group, section name): point at the key and say what a key must look like.
    const inner = issue.issues[0]?.message ?? "invalid name";
    return source.error(path.slice(0, -1), inner, String(path.at(-1)));
  }
  return source.error(path, describeIssue(issue));
}

// Short, value-free wording of what was expected.
function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return `expected ${{ record: "a mapping", object: "a mapping", array: "a list" }[issue.expected as string] ?? issue.expected}`;
    case "too_small":
    case "too_big":
      return issue.message.replace(/^Too (small|big): /, "").replace(/^expected /, "expected ");
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_union": {
      // The first alternative names the intended type (e.g. boolean before its string spellings).
      const first = issue.errors[0]?.[0];
      return first?.code === "invalid_type" ? `expected ${first.expected}` : "expected a valid value";
    }
    default:
      return issue.message.startsWith("Invalid") ? issue.message.replace(/: received .*/, "") : issue.message;
  }
}
