import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";

// A value written as `{ env: NAME }` or `{ file: PATH }` is a secret reference, resolved at load time.
export type SecretRef = { env: string } | { file: string };

// Recognises exactly one of env/file with a non-empty string, so `{ env: X, file: Y }` is not half-read.
export function isSecretRef(value: unknown): value is SecretRef {
  if (!value || typeof value !== "object" || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== 1) return false;
  const v = (value as Record<string, unknown>)[keys[0]!];
  return (keys[0] === "env" || keys[0] === "file") && typeof v === "string" && v.length > 0;
}

// Looks like an attempt at a reference (an object with env/file) but is malformed: reported, not passed on.
export function looksLikeSecretRef(value: unknown): boolean {
  return !!value && typeof value === "object" && !Array.isArray(value) && ("env" in value || "file" in value);
}

// Reads the referenced value; the error text never includes the value, only where it was looked for.
export function resolveSecretRef(ref: SecretRef, baseDir: string, env: NodeJS.ProcessEnv): string {
  if ("env" in ref) {
    const value = env[ref.env];
    if (value === undefined || value === "") throw new Error(`environment variable ${quoteName(ref.env)} is not set`);
    return value;
  }
  const path = isAbsolute(ref.file) ? ref.file : resolve(baseDir, ref.file);
  let content: string;
  try {
    content = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new Error(`secret file ${quoteName(path)} cannot be read (${code})`);
  }
  // Editors and `echo >` add one trailing newline that is not part of the secret.
  const value = content.replace(/\r?\n$/, "");
  if (value === "") throw new Error(`secret file ${quoteName(path)} is empty`);
  return value;
}

// Names and paths are shown as typed, but JSON-quoted when they hold anything that could break the line.
function quoteName(name: string): string {
  return /^[\w./@+,:~-]+$/.test(name) ? name : JSON.stringify(name).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}
