import { z } from "zod";

// Building blocks shared by the variable sections: the value types inventories use, and the shape of one
// table entry. Every string type refuses newlines and NULs because values end up in config files and
// command input, where a newline would start a new key or statement.

export const text = z.string().min(1).refine((v) => !/[\r\n\0]/.test(v), "must be a single line");
export const port = z.coerce.number().int().min(1).max(65535);
export const seconds = z.coerce.number().positive().max(86400);
// YAML 1.2 reads `yes` as a string; inventories written for Ansible use it for booleans.
export const flag = z.union([z.boolean(), z.enum(["true", "false", "yes", "no"]).transform((v) => v === "true" || v === "yes")]);
export const url = text.refine((v) => /^https?:\/\/[^\s/]+/.test(v) && URL.canParse(v), "must be an http(s) URL");
export const hostish = text.refine((v) => /^[A-Za-z0-9._:-]+$/.test(v), "must be a host name or address");
// Same rule as host names under `hosts:` in the inventory, so a variable can name one of them.
export const inventoryHostName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "must be letters, digits, '.', '_' or '-'");

const iniValue = z.union([z.string(), z.number(), z.boolean()]).refine(
  (v) => typeof v !== "string" || !/[\r\n\0]/.test(v),
  "must be a single line (newlines would break the INI file)",
);
const iniName = z.string().regex(/^[A-Za-z0-9_.:-]+$/, "must be a plain INI section or key name");
export const iniOverrides = z.record(iniName, z.record(iniName, iniValue));

// Services reach MariaDB through PyMySQL, which encodes passwords as Latin-1.
export const dbPassword = text.refine((v) => /^[\u0000-\u00ff]*$/.test(v), "PyMySQL sends database passwords as Latin-1: use only Latin-1 characters");

export type Vars = Record<string, unknown>;

export interface VarSpec {
  schema: z.ZodType;
  // A value, or a function of the variables above it in the merged table (already defaulted).
  default?: unknown | ((v: Vars) => unknown);
  doc: string;
  // Inline values of secret variables draw a warning and are registered with the redactor.
  secret?: boolean;
  // The value is `{ section: { key: value } }`: a secret reference may stand for a key's value, never for a
  // section (so a section may be called `file` or `env`). Other variables take a reference as their value.
  sections?: boolean;
  // The variable that replaces this one: setting it still works, with a warning naming the new one.
  deprecated?: string;
}
