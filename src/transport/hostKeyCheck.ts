// Applies the host key policy during the SSH handshake and words refusals so the operator knows what to do.
import { quote } from "shlex";
import type { HostKeyPolicy } from "./types.js";
import {
  appendKnownHost,
  fingerprint,
  judgeHostKey,
  keyTypeOf,
  knownHostsName,
  type KnownHostEntry,
} from "./knownHosts.js";

export interface HostKeyCheckInput {
  address: string;
  port: number;
  policy: HostKeyPolicy;
  knownHostsFiles: string[];
  entries: KnownHostEntry[];
}

export interface HostKeyCheck {
  // ssh2 hostVerifier (async form): called with the raw host key blob.
  verify(key: Buffer, done: (accept: boolean) => void): void;
  // Why the key was refused, once verify() said no; undefined while nothing was refused.
  refusal(): string | undefined;
}

// Why: ssh2 only asks yes/no, so the reason is kept here for the caller to turn into a HostKeyError.
export function createHostKeyCheck(input: HostKeyCheckInput): HostKeyCheck {
  let refused: string | undefined;
  const name = knownHostsName(input.address, input.port);
  return {
    refusal: () => refused,
    verify(key, done) {
      decide(input, name, key).then(
        (reason) => {
          refused = reason;
          done(reason === undefined);
        },
        (error: unknown) => {
          refused = `cannot check the host key: ${error instanceof Error ? error.message : String(error)}`;
          done(false);
        },
      );
    },
  };
}

// Why: returns the refusal text, or undefined to accept; a changed or revoked key is refused under any policy.
async function decide(input: HostKeyCheckInput, name: string, key: Buffer): Promise<string | undefined> {
  const verdict = judgeHostKey(input.entries, name, key);
  const offered = `${keyTypeOf(key)} ${fingerprint(key)}`;
  switch (verdict.kind) {
    case "known":
      return undefined;
    case "revoked":
      return `host key ${offered} is marked @revoked in ${verdict.entry.file}:${verdict.entry.line}; refusing to connect`;
    case "changed": {
      const { file, line } = verdict.entry;
      return (
        `HOST KEY CHANGED: ${file}:${line} has ${verdict.entry.keyType} ${fingerprint(verdict.entry.key)} ` +
        `but the host offered ${fingerprint(key)}; this could be a man-in-the-middle attack. ` +
        `If the change is expected, remove the old key with: ssh-keygen -R ${quote(name)} -f ${quote(file)}`
      );
    }
    case "unknown": {
      const first = input.knownHostsFiles[0];
      if (input.policy === "accept-new" && first !== undefined) {
        await appendKnownHost(first, name, key);
        return undefined;
      }
      const where = first !== undefined ? quote(first) : "~/.ssh/known_hosts";
      const type = keyTypeOf(key).replace(/^ssh-/, "").replace(/^ecdsa-sha2-nistp\d+$/, "ecdsa");
      return (
        `host key ${offered} is not in ${input.knownHostsFiles.join(", ") || "any known_hosts file"} and the ` +
        `host key policy is strict; verify the fingerprint out of band, then add it with: ` +
        `ssh-keyscan -p ${input.port} -t ${type} ${quote(input.address)} >> ${where} ` +
        `(or connect once with the accept-new policy)`
      );
    }
  }
}
