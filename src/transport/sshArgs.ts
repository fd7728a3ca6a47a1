// Reads the parts of an Ansible `ansible_ssh_common_args` string (extra `ssh` command-line options) that change
// how a host is reached: jump hosts (`-J`, `-o ProxyJump=`) and the client config file (`-F`). The string is split
// with shlex, as a POSIX shell would, so quoting works the way operators wrote it for Ansible.
import { split } from "shlex";
import { parseProxyJump } from "./proxyJump.js";

export interface SshArgs {
  // `-J` or `-o ProxyJump=`; the first one given wins, as in ssh.
  proxyJump?: string;
  // `-F`: read this file instead of ~/.ssh/config and /etc/ssh/ssh_config.
  configFile?: string;
}

// ssh's own getopt string: these letters take an argument, which must be skipped with them.
const TAKES_ARGUMENT = new Set("bceilmopBDEFIJLOQRSwW");

// Why: everything else ssh accepts (-C, -q, ControlMaster, StrictHostKeyChecking...) means nothing to a transport
// that keeps its own host key policy, so it is accepted and ignored; but a ProxyCommand would silently not run,
// leaving the host unreachable for no visible reason, so it is refused with the way out.
export function parseSshArgs(text: string): SshArgs {
  let words: string[];
  try {
    words = split(text);
  } catch (error) {
    throw new Error(`cannot split into words: ${(error as Error).message}`);
  }
  const out: SshArgs = {};
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (!word.startsWith("-") || word.length < 2 || word === "--") {
      throw new Error(`${JSON.stringify(word)} is not an ssh option (only options go here, no host or command)`);
    }
    // Flags may be bundled (-vC); the first letter that takes an argument ends the bundle.
    for (let j = 1; j < word.length; j++) {
      const letter = word[j]!;
      if (!TAKES_ARGUMENT.has(letter)) continue;
      let value = word.slice(j + 1);
      if (value === "") {
        const next = words[++i];
        if (next === undefined) throw new Error(`-${letter} needs a value`);
        value = next;
      }
      applyOption(out, letter, value);
      break;
    }
  }
  return out;
}

function applyOption(out: SshArgs, letter: string, value: string): void {
  if (letter === "J") {
    parseProxyJump(value);
    out.proxyJump ??= value;
  } else if (letter === "F") {
    out.configFile ??= value;
  } else if (letter === "o") {
    // `-o Key=Value` or `-o "Key Value"`; keywords are case-insensitive.
    const match = /^\s*([A-Za-z]+)\s*(?:=|\s)\s*(.*?)\s*$/.exec(value);
    if (!match) throw new Error(`-o ${JSON.stringify(value)} is not Key=Value`);
    const key = match[1]!.toLowerCase();
    if (key === "proxyjump") {
      parseProxyJump(match[2]!);
      out.proxyJump ??= match[2]!;
    } else if (key === "proxycommand" && match[2]!.toLowerCase() !== "none") {
      throw new Error("ProxyCommand is not supported (glance-deploy does not run a local ssh); name the jump host with -o ProxyJump=user@host:port instead");
    }
  }
}
