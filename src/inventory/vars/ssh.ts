import { z } from "zod";
import { parseProxyJump } from "../../transport/proxyJump.js";
import { parseSshArgs } from "../../transport/sshArgs.js";
import { flag, hostish, port, seconds, text, type VarSpec } from "./schemas.js";

// Why: a malformed jump spec or option string is an inventory error (exit 5, file:line), found before any
// connection; the parsers are the ones the transport uses, so the two can never disagree.
const parsedBy = (parse: (v: string) => unknown) =>
  text.superRefine((value, ctx) => {
    try {
      parse(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
    }
  });

// How the tool reaches each host. Ansible's names, so existing inventories work unchanged.
export const sshVars = {
  // No default here: applyDefaults sets it to the host's inventory name, which no table entry can see.
  ansible_host: { schema: hostish, default: undefined, doc: "Address, name or `~/.ssh/config` alias to SSH to (default: the host's inventory name)." },
  // No table defaults for port and user: ~/.ssh/config may give them, and only an inventory value beats it.
  ansible_port: { schema: port, doc: "SSH port (default: the ssh config's Port, else 22)." },
  ansible_user: { schema: text, doc: "SSH user (default: the ssh config's User, else root)." },
  ansible_ssh_private_key_file: { schema: text, doc: "Private key file (default: the ssh config's IdentityFile); ssh-agent (SSH_AUTH_SOCK) is offered too." },
  ansible_become: { schema: flag, default: false, doc: "Run commands through `sudo -n` when the user is not root." },
  ansible_ssh_common_args: {
    schema: parsedBy(parseSshArgs),
    doc: "Extra ssh options as for Ansible: `-o ProxyJump=…`/`-J …` and `-F FILE` are used, other options ignored, ProxyCommand refused.",
  },
  ssh_proxy_jump: {
    schema: parsedBy(parseProxyJump),
    doc: "Jump hosts, as OpenSSH's ProxyJump: `user@host:port`, a comma list for a chain, or `none` (wins over ansible_ssh_common_args and ~/.ssh/config).",
  },
  ssh_known_hosts_file: { schema: text, doc: "Project known_hosts file, checked before ~/.ssh/known_hosts; new keys are recorded here." },
  ssh_host_key_policy: {
    schema: z.enum(["strict", "accept-new"]),
    default: "accept-new",
    doc: "Unknown host keys (targets and jump hosts): refuse (strict) or record (accept-new). A changed key is always refused.",
  },
  ssh_connect_timeout: { schema: seconds, default: 10, doc: "Seconds to wait for the SSH handshake." },
} satisfies Record<string, VarSpec>;
