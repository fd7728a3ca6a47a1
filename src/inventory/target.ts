import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { SshTarget } from "../transport/types.js";
import type { InventoryHost } from "./load.js";

// Operators write `~/.ssh/id_ed25519`; ssh2 needs a real path.
function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") ? join(homedir(), path.slice(1)) : resolve(path);
}

// Maps Ansible-named connection variables to what the SSH transport needs.
export function sshTargetFor(host: InventoryHost): SshTarget {
  const v = host.vars;
  const knownHosts = [join(homedir(), ".ssh", "known_hosts")];
  if (v.ssh_known_hosts_file) knownHosts.unshift(expandHome(v.ssh_known_hosts_file));
  return {
    name: host.name,
    address: v.ansible_host,
    port: v.ansible_port,
    user: v.ansible_user,
    ...(v.ansible_ssh_private_key_file ? { privateKeyPath: expandHome(v.ansible_ssh_private_key_file) } : {}),
    become: v.ansible_become && v.ansible_user !== "root",
    hostKeyPolicy: v.ssh_host_key_policy,
    knownHostsFiles: knownHosts,
    connectTimeoutMs: v.ssh_connect_timeout * 1000,
  };
}
