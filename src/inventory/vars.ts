import { z } from "zod";
import { ansibleAliases, ansibleVars } from "./vars/ansible.js";
import { engineVars } from "./vars/engine.js";
import { glanceVars } from "./vars/glance.js";
import { keystoneVars } from "./vars/keystone.js";
import { mariadbVars } from "./vars/mariadb.js";
import { memcachedVars } from "./vars/memcached.js";
import type { Vars, VarSpec } from "./vars/schemas.js";
import { sshVars } from "./vars/ssh.js";
import { topologyVars } from "./vars/topology.js";
import { verifyVars } from "./vars/verify.js";

// Every inventory variable the tool knows, with its default and one line of documentation. The sections
// under vars/ are the single source for validation, for defaults and for the README's variable reference;
// an unknown variable is an error so a typo never silently falls back to a default.

export interface VarSection {
  name: string;
  title: string;
  specs: Record<string, VarSpec>;
}

// Order matters: defaults are filled top to bottom and a function default reads the variables above it
// (controller_host feeds memcached, keystone and glance), so topology comes before the services.
export const varSections = [
  { name: "ssh", title: "SSH connection", specs: sshVars },
  { name: "topology", title: "Hosts and roles", specs: topologyVars },
  { name: "mariadb", title: "MariaDB", specs: mariadbVars },
  { name: "memcached", title: "memcached", specs: memcachedVars },
  { name: "keystone", title: "Keystone", specs: keystoneVars },
  { name: "glance", title: "Glance", specs: glanceVars },
  { name: "verify", title: "Verification", specs: verifyVars },
  { name: "engine", title: "Timeouts", specs: engineVars },
  { name: "ansible", title: "Other Ansible connection variables", specs: ansibleVars },
] as const satisfies readonly VarSection[];

// The same sections spelled out so the type keeps each variable's own schema (a merge over the array
// would widen them); the check below keeps the two in step.
export const varSpecs = {
  ...sshVars,
  ...topologyVars,
  ...mariadbVars,
  ...memcachedVars,
  ...keystoneVars,
  ...glanceVars,
  ...verifyVars,
  ...engineVars,
  ...ansibleVars,
};

// A name in two sections would be kept once by the spread above, silently dropping one default.
const sectionNames = varSections.flatMap((s) => Object.keys(s.specs));
if (sectionNames.join() !== Object.keys(varSpecs).join()) {
  throw new Error("inventory variable sections: a name is defined twice, or varSpecs and varSections disagree");
}

export type VarName = keyof typeof varSpecs;
type Specs = typeof varSpecs;
type Out<K extends VarName> = z.output<Specs[K]["schema"]>;
// Variables with a default are always present after applyDefaults; the rest may be unset.
export type HostVars = { [K in VarName as Specs[K] extends { default: unknown } ? K : never]: Out<K> } & {
  [K in VarName as Specs[K] extends { default: unknown } ? never : K]?: Out<K>;
};

export const secretVarNames = (Object.keys(varSpecs) as VarName[]).filter(
  (k) => (varSpecs[k] as VarSpec).secret === true,
);

// Every name a vars block may hold: the variables, and Ansible's other names for some of them.
export const knownVarNames: readonly string[] = [...Object.keys(varSpecs), ...Object.keys(ansibleAliases)];

export function isSecretVar(name: string): boolean {
  const spec = (varSpecs as Record<string, VarSpec>)[ansibleAliases[name] ?? name];
  return spec?.secret === true;
}

// One block of variables (all.vars, a group's vars or a host's own): every key known, every value typed. An
// alias is checked with the schema of the variable it stands for; the loader then files it under that name.
export const varsBlockSchema = z.strictObject(
  Object.fromEntries(
    knownVarNames.map((k) => [k, (varSpecs as Record<string, VarSpec>)[ansibleAliases[k] ?? k]!.schema.optional()]),
  ) as Record<VarName, z.ZodOptional<z.ZodType>>,
);

// Fills defaults in table order so a default may depend on variables above it.
export function applyDefaults(hostName: string, vars: Vars): HostVars {
  const out: Vars = { ...vars };
  out.ansible_host ??= hostName;
  for (const [name, spec] of Object.entries(varSpecs) as [string, VarSpec][]) {
    if (out[name] !== undefined || spec.default === undefined) continue;
    out[name] = typeof spec.default === "function" ? (spec.default as (v: Vars) => unknown)(out) : spec.default;
  }
  return out as HostVars;
}
