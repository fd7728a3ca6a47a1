// Decides where a target's connection goes, as whom and through which jump hosts, before anything connects:
// the inventory's values first, then OpenSSH's client config (`ssh -G`), then the tool's defaults.
import { UnreachableError } from "../errors.js";
import { endpointOf, type Endpoint } from "./connect.js";
import { parseProxyJump } from "./proxyJump.js";
import { expandHome, expandSshPath } from "./paths.js";
import { readSshConfig, type SshConfigValues } from "./sshConfig.js";
import type { SshTarget } from "./types.js";

export const DEFAULT_USER = "root";
export const DEFAULT_PORT = 22;

export interface Route {
  target: Endpoint;
  // Walked left to right; empty for a direct connection.
  jumps: Endpoint[];
}

type ConfigReader = (alias: string) => Promise<SshConfigValues | undefined>;

export async function planRoute(target: SshTarget): Promise<Route> {
  // Why absolute: ssh resolves `-F` from the working directory, the wrapper's Include would from ~/.ssh.
  const file = target.sshConfig?.file !== undefined ? expandHome(target.sshConfig.file) : undefined;
  const read: ConfigReader = target.sshConfig ? (alias) => readSshConfig(alias, file) : async () => undefined;
  let config: SshConfigValues | undefined;
  try {
    config = await read(target.address);
  } catch (error) {
    throw new UnreachableError(target.name, target.address, (error as Error).message);
  }
  const port = target.port ?? config?.port ?? DEFAULT_PORT;
  const user = target.user ?? config?.user ?? DEFAULT_USER;
  const address = config?.hostname ?? target.address;
  const keyFiles = target.privateKeyPath
    ? [target.privateKeyPath]
    : (config?.identityFiles ?? []).map((f) => expandSshPath(f, { host: address, port, user, alias: target.address }));
  const self: Endpoint = { name: target.name, address, port, user, keyFiles };

  const spec = target.proxyJump ?? config?.proxyJump;
  if (spec === undefined && config?.proxyCommand !== undefined) {
    throw new UnreachableError(
      target.name,
      endpointOf(self),
      "the ssh config sets ProxyCommand, which glance-deploy does not run; name the jump host with ProxyJump instead",
    );
  }
  let hops;
  try {
    hops = spec !== undefined ? parseProxyJump(spec) : [];
  } catch (error) {
    throw new UnreachableError(target.name, endpointOf(self), (error as Error).message);
  }
  const jumps: Endpoint[] = [];
  for (const hop of hops) jumps.push(await planJump(hop, self, read));
  return { target: self, jumps };
}

// Why: a jump host may be an ssh config alias too; what the ProxyJump entry spells out wins, then its own ssh
// config, then the target's user and key (one key for the whole way is the common case). A jump host's own
// ProxyJump is not followed: the chain is what the target's ProxyJump lists.
async function planJump(hop: ReturnType<typeof parseProxyJump>[number], target: Endpoint, read: ConfigReader): Promise<Endpoint> {
  let config: SshConfigValues | undefined;
  try {
    config = await read(hop.host);
  } catch (error) {
    throw new UnreachableError(hop.host, hop.host, `jump host for ${target.name}: ${(error as Error).message}`);
  }
  const port = hop.port ?? config?.port ?? DEFAULT_PORT;
  const user = hop.user ?? config?.user ?? target.user;
  const address = config?.hostname ?? hop.host;
  const configured = (config?.identityFiles ?? []).map((f) => expandSshPath(f, { host: address, port, user, alias: hop.host }));
  return { name: hop.host, address, port, user, keyFiles: configured.length ? configured : target.keyFiles };
}
