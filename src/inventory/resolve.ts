import { isDeepStrictEqual } from "node:util";
import { redactor } from "../secrets/redactor.js";
import { issueToError } from "./issues.js";
import { isSecretRef, looksLikeSecretRef, resolveSecretRef } from "./secretRef.js";
import { closestName } from "./suggest.js";
import { ansibleAliases } from "./vars/ansible.js";
import type { VarSpec } from "./vars/schemas.js";
import { isSecretVar, knownVarNames, varSpecs, varsBlockSchema } from "./vars.js";
import type { KeyPath, YamlSource } from "./yamlSource.js";

export interface ResolveContext {
  source: YamlSource;
  baseDir: string;
  env: NodeJS.ProcessEnv;
  warnings: string[];
  // Config review without the secrets: every secret (referenced or inline) becomes a placeholder naming its
  // variable, and no reference is read.
  placeholders?: boolean;
}

// Letters, digits and underscores only, so the placeholder reads the same through every quoting layer
// (URL-encoding, INI, shell) and names what belongs there.
export const placeholderFor = (name: string) => `__${name}__`;

const known = new Set(knownVarNames);

// One vars block of a host or group the play runs on: every name known (a typo gets a suggestion), secret
// references resolved where a value stands, every value checked against the table, Ansible's other names
// filed under the variable they stand for.
export function resolveBlock(ctx: ResolveContext, block: Record<string, unknown>, path: KeyPath): Record<string, unknown> {
  const unknown = Object.keys(block).find((key) => !known.has(key));
  if (unknown !== undefined) throw ctx.source.error(path, unknownVariable(unknown), unknown);
  const resolved: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(block)) {
    const spec = (varSpecs as Record<string, VarSpec>)[ansibleAliases[key] ?? key];
    resolved[key] = spec?.sections ? resolveSections(ctx, value, [...path, key]) : resolveValue(ctx, value, [...path, key]);
    if (spec?.deprecated) {
      const pos = ctx.source.position([...path, key]);
      ctx.warnings.push(`${ctx.source.file}:${pos.line}:${pos.col}: ${key} is deprecated; use ${spec.deprecated} (see README: Image stores)`);
    }
    if (ctx.placeholders && isSecretVar(key)) resolved[key] = placeholderFor(ansibleAliases[key] ?? key);
    else if (isSecretVar(key) && typeof value === "string") {
      redactor.add(value);
      const pos = ctx.source.position([...path, key]);
      ctx.warnings.push(`${ctx.source.file}:${pos.line}:${pos.col}: ${key} is written inline; prefer { env: NAME } or { file: PATH }`);
    }
  }
  const parsed = varsBlockSchema.safeParse(resolved);
  if (!parsed.success) throw issueToError(ctx.source, path, parsed.error.issues[0]!);
  const out: Record<string, unknown> = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined));
  for (const [alias, name] of Object.entries(ansibleAliases)) {
    if (!(alias in out)) continue;
    if (name in out && !isDeepStrictEqual(out[name], out[alias])) {
      throw ctx.source.error(path, `both \`${alias}\` and \`${name}\` are set here, to different values; keep one`, alias);
    }
    out[name] = out[alias];
    delete out[alias];
  }
  return out;
}

function unknownVariable(name: string): string {
  const near = closestName(name, knownVarNames);
  return `not a known variable (see README: Inventory variables)${near ? `; did you mean \`${near}\`?` : ""}`;
}

// A value position: a secret reference is read here, a malformed one is reported rather than passed on.
function resolveValue(ctx: ResolveContext, value: unknown, path: KeyPath): unknown {
  if (isSecretRef(value) && ctx.placeholders) return placeholderFor(path.slice(-1).join(""));
  if (isSecretRef(value)) {
    try {
      const secret = resolveSecretRef(value, ctx.baseDir, ctx.env);
      redactor.add(secret);
      return secret;
    } catch (error) {
      throw ctx.source.error(path, (error as Error).message);
    }
  }
  if (looksLikeSecretRef(value)) {
    throw ctx.source.error(path, "a secret reference is `{ env: NAME }` or `{ file: PATH }` with exactly one non-empty key");
  }
  return value;
}

// `{ section: { key: value } }`: section maps are never references (a section may be named `file` or `env`);
// each key's value is a value position. Anything shaped otherwise is left for the schema to refuse.
function resolveSections(ctx: ResolveContext, value: unknown, path: KeyPath): unknown {
  if (!isPlainMap(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([section, keys]) => [
      section,
      isPlainMap(keys) ? Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, resolveValue(ctx, v, [...path, section, k])])) : keys,
    ]),
  );
}

function isPlainMap(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === "object" && !Array.isArray(value);
}
