import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { run } from "./run.js";

// SSH keys of the lab: one client key pair per state directory, and a new host key for every host start.

// The operator's (and the deploy's) key into every lab host; made once, reused across `lab up`s.
export async function ensureLabKey(path: string): Promise<string> {
  const existing = await readFile(`${path}.pub`, "utf8").catch(() => undefined);
  const hasPrivate = await readFile(path, "utf8").then(() => true, () => false);
  if (existing && hasPrivate) return existing.trim();
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await rm(path, { force: true });
  await rm(`${path}.pub`, { force: true });
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "glance-deploy-lab", "-f", path]);
  await chmod(path, 0o600);
  return (await readFile(`${path}.pub`, "utf8")).trim();
}

// A fresh host key per host start, so clones of one snapshot never share an identity.
export async function generateHostKey(path: string): Promise<{ privateKey: string; publicKey: string }> {
  await rm(path, { force: true });
  await rm(`${path}.pub`, { force: true });
  await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", path]);
  const privateKey = await readFile(path, "utf8");
  const publicKey = (await readFile(`${path}.pub`, "utf8")).trim();
  return { privateKey, publicKey };
}

// known_hosts lines for the current hosts only: keys of earlier labs on the same addresses must not linger.
export function renderKnownHosts(hosts: ReadonlyArray<{ name: string; address: string; hostPublicKey: string }>): string {
  return hosts
    .map((h) => {
      const [type, key] = h.hostPublicKey.split(/\s+/);
      return `${h.name},${h.address} ${type} ${key}\n`;
    })
    .join("");
}

// Mode 0600 like OpenSSH's own; rewritten whole on every `lab up`.
export async function writeKnownHosts(path: string, content: string): Promise<void> {
  await writeFile(path, content, { mode: 0o600 });
}
