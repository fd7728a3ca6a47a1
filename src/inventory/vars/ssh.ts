import { z } from "zod";
import { flag, hostish, port, seconds, text, type VarSpec } from "./schemas.js";

// How the tool reaches each host. Ansible's names, so existing inventories work unchanged.
export const sshVars = {
  // No default here: applyDefaults sets it to the host's inventory name, which no table entry can see.
  ansible_host: { schema: hostish, default: undefined, doc: "Address or name to SSH to (default: the host's inventory name)." },
  ansible_port: { schema: port, default: 22, doc: "SSH port." },
  ansible_user: { schema: text, default: "root", doc: "SSH user." },
  ansible_ssh_private_key_file: { schema: text, doc: "Private key file; ssh-agent (SSH_AUTH_SOCK) is offered too." },
  ansible_become: { schema: flag, default: false, doc: "Run commands through `sudo -n` when the user is not root." },
  ssh_known_hosts_file: { schema: text, doc: "Project known_hosts file, checked before ~/.ssh/known_hosts; new keys are recorded here." },
  ssh_host_key_policy: {
    schema: z.enum(["strict", "accept-new"]),
    default: "accept-new",
    doc: "Unknown host keys: refuse (strict) or record (accept-new). A changed key is always refused.",
  },
  ssh_connect_timeout: { schema: seconds, default: 10, doc: "Seconds to wait for the SSH handshake." },
  ansible_ssh_common_args: {
    schema: text,
    doc: "OpenSSH options Ansible adds to every connection (e.g. `-o ProxyJump=user@bastion:port`). Accepted and kept; not applied yet.",
  },
} satisfies Record<string, VarSpec>;
