// OpenSSH's client configuration for one host as `ssh -G` resolves it (Host and Match blocks, Include,
// canonicalisation): OpenSSH's own reading of ~/.ssh/config, never a second parser that would drift from it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export interface SshConfigValues {
  // The address to connect to (HostName, else the alias itself).
  hostname: string;
  port: number;
  // Absent when no Host or Match block sets User.
  user?: string;
  // IdentityFile lines the config sets, as written (~ and %tokens unexpanded); empty when it sets none.
  identityFiles: string[];
  proxyJump?: string;
  proxyCommand?: string;
}

// Why: ssh -G prints its built-in defaults (the local user, the default identities) as if configured. OpenSSH
// keeps the first User it obtains and only adds default identities when none is set, so a sentinel block read
// after the real files shows through exactly where the configuration is silent. No real value looks like it.
const UNSET = "/unset/";

// Why: -F replaces both files ssh reads by default, so the wrapper includes them itself (in ssh's order).
export function sshGWrapper(file?: string): string {
  const files = file !== undefined ? [file] : ["~/.ssh/config", "/etc/ssh/ssh_config"];
  for (const f of files) if (/["\\\n\r]/.test(f)) throw new Error(`ssh config path ${JSON.stringify(f)} has a quote, backslash or newline`);
  return [...files.map((f) => `Include "${f}"`), "Host *", `  User ${UNSET}`, `  IdentityFile ${UNSET}`, ""].join("\n");
}

// Why: the keys ssh -G prints are lower case, one `key value` per line; repeated keys (identityfile) accumulate.
export function parseSshG(output: string): SshConfigValues {
  const values = new Map<string, string[]>();
  for (const line of output.split("\n")) {
    const match = /^([a-z0-9]+) (.*)$/.exec(line.trimEnd());
    if (!match) continue;
    const list = values.get(match[1]!) ?? [];
    list.push(match[2]!);
    values.set(match[1]!, list);
  }
  const one = (key: string) => values.get(key)?.[0];
  const host = one("hostname");
  const port = Number(one("port"));
  if (!host || !Number.isInteger(port)) throw new Error("ssh -G printed no hostname or port");
  const out: SshConfigValues = {
    hostname: host,
    port,
    identityFiles: (values.get("identityfile") ?? []).filter((f) => f !== UNSET),
  };
  const user = one("user");
  if (user !== undefined && user !== UNSET) out.user = user;
  const jump = one("proxyjump");
  if (jump !== undefined && jump.toLowerCase() !== "none") out.proxyJump = jump;
  const command = one("proxycommand");
  if (command !== undefined && command.toLowerCase() !== "none") out.proxyCommand = command;
  return out;
}

// Why: `ssh` is optional on the machine running the tool; without it there is no OpenSSH configuration to honour,
// unless one was named explicitly (-F), which then cannot be read and must say so.
export async function readSshConfig(alias: string, file?: string): Promise<SshConfigValues | undefined> {
  if (file === undefined && !defaultConfigMaySet()) return undefined;
  // Why through sh: Node's stdin pipes are socket pairs, which ssh cannot open as /dev/stdin; a shell pipe is
  // a real pipe. Wrapper and alias travel as arguments, never spliced into the script.
  // execa (and its dependencies) only load when ssh -G really runs.
  const { execa } = await import("execa");
  const result = await execa("sh", ["-c", 'command -v ssh >/dev/null || exit 127; printf %s "$1" | ssh -G -F /dev/stdin -- "$2"', "sh", sshGWrapper(file), alias], {
    reject: false,
    timeout: 10_000,
  });
  if (result.exitCode === 127) {
    if (file === undefined) return undefined;
    throw new Error(`reading ${file} needs OpenSSH's ssh (package openssh-client)`);
  }
  if (result.exitCode !== 0) {
    // ssh's first complaint names file and line; its "terminating, N bad options" summary adds nothing.
    const lines = String(result.stderr).split(/\r?\n/).filter((l) => l.trim() && !/terminating, \d+ bad|^Pseudo-terminal/.test(l));
    throw new Error(`ssh -G ${alias} failed: ${lines[0]?.trim() ?? `exit ${result.exitCode}`}`);
  }
  return parseSshG(String(result.stdout));
}

// Keys of the client config that change where or as whom the tool connects (Include and Match can bring any).
const RELEVANT = /^\s*(hostname|user|port|identityfile|proxyjump|proxycommand|match|include)\b/i;

// Why: starting `ssh -G` costs ~140 ms per run, the better part of a converged deploy. When the user has no
// ~/.ssh/config and the system files set none of the relevant keys (Debian's stock ssh_config only includes
// ssh_config.d, which is empty), ssh would answer with its defaults: the tool's own.
export function defaultConfigMaySet(home = homedir(), etc = "/etc/ssh"): boolean {
  if (existsSync(join(home, ".ssh", "config"))) return true;
  const dropIns = join(etc, "ssh_config.d");
  const files = [join(etc, "ssh_config"), ...(existsSync(dropIns) ? readdirSync(dropIns).filter((f) => f.endsWith(".conf")).map((f) => join(dropIns, f)) : [])];
  const stockInclude = new RegExp(`^\\s*include\\s+${dropIns.replaceAll("/", "\\/")}/\\*\\.conf\\s*$`, "i");
  return files.some((f) => {
    const text = existsSync(f) ? readFileSync(f, "utf8") : "";
    return text.split("\n").some((line) => RELEVANT.test(line) && !stockInclude.test(line));
  });
}
