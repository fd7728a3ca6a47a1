// OpenSSH known_hosts lookup and recording, so operators keep using the files and tools they already trust.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { appendFile, mkdir, readFile, stat } from "node:fs/promises";
import { dirname } from "node:path";
import ssh2 from "ssh2";

export interface KnownHostEntry {
  file: string;
  line: number;
  marker?: "revoked" | "cert-authority";
  hostField: string;
  keyType: string;
  // Public key in SSH wire format, as the server sends it.
  key: Buffer;
}

export type HostKeyVerdict =
  | { kind: "known"; entry: KnownHostEntry }
  | { kind: "unknown" }
  | { kind: "changed"; entry: KnownHostEntry }
  | { kind: "revoked"; entry: KnownHostEntry };

// Why: OpenSSH records non-default ports as "[host]:port", and hashes exactly that string.
export function knownHostsName(address: string, port: number): string {
  const host = address.toLowerCase();
  return port === 22 ? host : `[${host}]:${port}`;
}

// Why: fingerprints must look exactly like `ssh-keygen -lf` output so operators can compare them by eye.
export function fingerprint(key: Buffer): string {
  return "SHA256:" + createHash("sha256").update(key).digest("base64").replace(/=+$/, "");
}

// Why: the key type decides "changed" versus "another key of this host"; ssh2 reads it from the blob.
export function keyTypeOf(key: Buffer): string {
  const parsed = ssh2.utils.parseKey(key);
  if (parsed instanceof Error) throw new Error(`unparseable host key: ${parsed.message}`);
  return parsed.type;
}

// Why: a missing file is normal (first run); lines we cannot parse are skipped like OpenSSH does, not fatal.
export async function readKnownHosts(files: string[]): Promise<KnownHostEntry[]> {
  const entries: KnownHostEntry[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw error;
    }
    text.split("\n").forEach((raw, index) => {
      const entry = parseLine(raw, file, index + 1);
      if (entry) entries.push(entry);
    });
  }
  return entries;
}

// Why: one line format with an optional @marker; the key is validated by ssh2 so garbage never matches.
function parseLine(raw: string, file: string, line: number): KnownHostEntry | undefined {
  const text = raw.trim();
  if (!text || text.startsWith("#")) return undefined;
  const fields = text.split(/\s+/);
  let marker: KnownHostEntry["marker"];
  if (fields[0]?.startsWith("@")) {
    const name = fields.shift()!.slice(1);
    if (name !== "revoked" && name !== "cert-authority") return undefined;
    marker = name;
  }
  const [hostField, keyType, base64] = fields;
  if (!hostField || !keyType || !base64) return undefined;
  const parsed = ssh2.utils.parseKey(`${keyType} ${base64}`);
  if (parsed instanceof Error) return undefined;
  return { file, line, hostField, keyType: parsed.type, key: parsed.getPublicSSH(), ...(marker ? { marker } : {}) };
}

// Why: host fields are comma lists of plain names, globs, negations (!pat) or one hashed |1|salt|hash name.
export function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith("|1|")) return hashedMatches(field, name);
  let matched = false;
  for (const pattern of field.split(",")) {
    const negated = pattern.startsWith("!");
    const body = negated ? pattern.slice(1) : pattern;
    if (!globMatches(body.toLowerCase(), name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

// Why: hashed names (HashKnownHosts yes, Debian's default) are HMAC-SHA1 of the name keyed with the salt.
function hashedMatches(field: string, name: string): boolean {
  const [, , salt, hash] = field.split("|");
  if (!salt || !hash) return false;
  const expected = Buffer.from(hash, "base64");
  const actual = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

// Why: OpenSSH patterns only know `*` and `?`; everything else is literal.
function globMatches(pattern: string, name: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === name;
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${regex}$`).test(name);
}

// Why: decides in one place, the way OpenSSH does: revoked beats everything, a match of the same key wins,
// and a different key of the same type for this host is a change (possible man in the middle).
export function judgeHostKey(entries: KnownHostEntry[], name: string, key: Buffer): HostKeyVerdict {
  const type = keyTypeOf(key);
  const forHost = entries.filter((e) => e.marker !== "cert-authority" && hostFieldMatches(e.hostField, name));
  const revoked = entries.find((e) => e.marker === "revoked" && e.key.equals(key));
  if (revoked) return { kind: "revoked", entry: revoked };
  const plain = forHost.filter((e) => e.marker === undefined);
  const same = plain.find((e) => e.key.equals(key));
  if (same) return { kind: "known", entry: same };
  const changed = plain.find((e) => e.keyType === type);
  if (changed) return { kind: "changed", entry: changed };
  return { kind: "unknown" };
}

// Why: host key algorithms the client prefers should match what we already know, or a server with several
// keys could present one we have never seen and get refused (OpenSSH orders its offer the same way).
export function knownKeyTypes(entries: KnownHostEntry[], name: string): string[] {
  const types = entries
    .filter((e) => e.marker === undefined && hostFieldMatches(e.hostField, name))
    .map((e) => e.keyType);
  return [...new Set(types)];
}

// Why: accept-new records a first-seen key so later connections (and plain `ssh`) verify against it; the
// directory and file are private like ~/.ssh, and an unterminated last line is not glued to ours.
export async function appendKnownHost(file: string, name: string, key: Buffer): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  let prefix = "";
  try {
    const info = await stat(file);
    if (info.size > 0) {
      const text = await readFile(file);
      if (text[text.length - 1] !== 0x0a) prefix = "\n";
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const line = `${prefix}${name} ${keyTypeOf(key)} ${key.toString("base64")}\n`;
  await appendFile(file, line, { mode: 0o600 });
}
