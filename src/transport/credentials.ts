// What one connection offers to authenticate, in order: the key files it was given, the ssh-agent, then (when it
// was given no key file) OpenSSH's default identities, the way `ssh` does.
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import ssh2, { type AgentAuthMethod, type PublicKeyAuthMethod } from "ssh2";
import { AuthError } from "../errors.js";

// The default identities ssh tries, most preferred first.
export const DEFAULT_IDENTITIES = ["id_ed25519", "id_ecdsa", "id_rsa"];

export interface CredentialSource {
  // Inventory name or jump host, for messages.
  name: string;
  user: string;
  // Given key files (inventory or ssh config), offered in order.
  keyFiles: string[];
  agentSocket?: string;
}

export interface Credentials {
  // ssh2 authHandler list: each method tried once, in order.
  methods: (PublicKeyAuthMethod | AgentAuthMethod)[];
  // What was offered, for the authentication-failed message ("key /path", "agent").
  tried: string[];
}

type KeyLoad = { data: Buffer } | { problem: string };

// Why: a key we cannot use without a passphrase is skipped (the agent usually holds it) instead of failing the
// whole connection; the reason is kept for the message in case nothing else works.
async function loadKey(path: string): Promise<KeyLoad> {
  try {
    const data = await readFile(path);
    const parsed = ssh2.utils.parseKey(data);
    return parsed instanceof Error ? { problem: parsed.message } : { data };
  } catch (error) {
    return { problem: (error as NodeJS.ErrnoException).code ?? String(error) };
  }
}

export async function loadCredentials(source: CredentialSource, endpoint: string): Promise<Credentials> {
  const { user: username } = source;
  const methods: Credentials["methods"] = [];
  const tried: string[] = [];
  const problems: string[] = [];
  for (const path of source.keyFiles) {
    const key = await loadKey(path);
    if ("data" in key) methods.push({ type: "publickey", username, key: key.data });
    else problems.push(`private key ${path} is unusable: ${key.problem}`);
    tried.push("data" in key ? `key ${path}` : `key ${path} (unusable: ${key.problem})`);
  }
  const agent = source.agentSocket ?? process.env.SSH_AUTH_SOCK ?? undefined;
  if (agent) {
    methods.push({ type: "agent", username, agent });
    tried.push("agent");
  }
  // Why: like ssh, a missing default identity is simply not offered; one that exists but cannot be used is named.
  if (source.keyFiles.length === 0) {
    for (const name of DEFAULT_IDENTITIES) {
      const path = join(homedir(), ".ssh", name);
      const key = await loadKey(path);
      if ("data" in key) {
        methods.push({ type: "publickey", username, key: key.data });
        tried.push(`key ${path}`);
      } else if (key.problem !== "ENOENT") {
        tried.push(`key ${path} (unusable: ${key.problem})`);
      }
    }
  }
  if (methods.length === 0) {
    const why =
      problems.length > 0
        ? problems.join("; ")
        : `no private key (set ansible_ssh_private_key_file, or IdentityFile in ~/.ssh/config), no ssh-agent ` +
          `(SSH_AUTH_SOCK) and none of ${DEFAULT_IDENTITIES.map((n) => `~/.ssh/${n}`).join(", ")} is usable`;
    throw new AuthError(source.name, endpoint, `cannot authenticate as ${username}: ${why}`);
  }
  return { methods, tried };
}
