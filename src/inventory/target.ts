import { homedir } from "node:os";
import { join } from "node:path";
import { expandHome } from "../transport/paths.js";
import { parseSshArgs } from "../transport/sshArgs.js";
import type { SshTarget } from "../transport/types.js";
import type { InventoryHost } from "./load.js";

// Maps Ansible-named connection variables to what the SSH transport needs. Unset port, user, key and jump hosts
// are left to OpenSSH's client config (read at connect time), which the inventory always overrides.
export function sshTargetFor(host: InventoryHost): SshTarget {
  const v = host.vars;
  const knownHosts = [join(homedir(), ".ssh", "known_hosts")];
  if (v.ssh_known_hosts_file) knownHosts.unshift(expandHome(v.ssh_known_hosts_file));
  // Already validated when the inventory was loaded.
  const args = v.ansible_ssh_common_args ? parseSshArgs(v.ansible_ssh_common_args) : {};
  const proxyJump = v.ssh_proxy_jump ?? args.proxyJump;
  return {
    name: host.name,
    address: v.ansible_host,
    ...(v.ansible_port !== undefined ? { port: v.ansible_port } : {}),
    ...(v.ansible_user !== undefined ? { user: v.ansible_user } : {}),
    ...(v.ansible_ssh_private_key_file ? { privateKeyPath: expandHome(v.ansible_ssh_private_key_file) } : {}),
    become: v.ansible_become,
    hostKeyPolicy: v.ssh_host_key_policy,
    knownHostsFiles: knownHosts,
    connectTimeoutMs: v.ssh_connect_timeout * 1000,
    ...(proxyJump !== undefined ? { proxyJump } : {}),
    sshConfig: args.configFile !== undefined ? { file: args.configFile } : {},
  };
}
