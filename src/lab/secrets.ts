import { randomInt } from "node:crypto";
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

// The lab's deployment secrets: generated once per state directory, kept, never printed.

export const SECRET_NAMES = ["keystone_admin_password", "keystone_db_password", "glance_db_password", "glance_keystone_password"] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

// Characters that break naive URL building, shell quoting, SQL quoting, INI comments and oslo.config
// interpolation; every lab secret carries all of them so the deploy's escaping is exercised on every run.
export const HOSTILE_CHARACTERS = "%@/:$'\";# ";
const PLAIN = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

// 24 characters: 14 plain plus every hostile one, shuffled; plain at both ends so no tool's trimming eats a space.
export function generateSecret(): string {
  const pick = () => PLAIN[randomInt(PLAIN.length)]!;
  const middle = [...HOSTILE_CHARACTERS];
  for (let i = 0; i < 12; i++) middle.push(pick());
  for (let i = middle.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [middle[i], middle[j]] = [middle[j]!, middle[i]!];
  }
  return pick() + middle.join("") + pick();
}

// Creates missing secret files (mode 0600, no trailing newline) and repairs loose modes; existing values stay.
export async function ensureSecrets(dir: string): Promise<Record<SecretName, string>> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const out = {} as Record<SecretName, string>;
  for (const name of SECRET_NAMES) {
    const path = join(dir, name);
    let value = await readFile(path, "utf8").catch(() => undefined);
    if (value === undefined || value.length === 0) {
      value = generateSecret();
      await writeFile(path, value, { mode: 0o600, flag: "w" });
    }
    if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
    out[name] = value;
  }
  return out;
}
