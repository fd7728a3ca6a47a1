// Connections through jump hosts: each hop is an ordinary ssh2 connection whose socket is a direct-tcpip tunnel
// opened on the hop before it. One connection per hop serves every target behind it while any of them is open.
import type { Duplex } from "node:stream";
import type ssh2 from "ssh2";
import { AuthError, HostKeyError, UnreachableError } from "../errors.js";
import { DEFAULT_CONNECT_TIMEOUT_MS, endpointOf, openClient, type ConnectOptions, type Endpoint } from "./connect.js";
import { formatDuration } from "./errors.js";
import { planRoute } from "./route.js";
import type { SshTarget } from "./types.js";

export interface RoutedClient {
  client: ssh2.Client;
  // Where the client is logged in (address, port and user after the ssh config).
  endpoint: Endpoint;
  // Gives back the jump hosts this client used; the last user of a jump connection closes it. Idempotent.
  release(): void;
}

interface PooledHop {
  ready: Promise<ssh2.Client>;
  users: number;
}

// Keyed by the chain up to and including the hop (and the host key policy it was checked under), so a hop
// reached another way, or trusted under another policy, is another connection.
const pool = new Map<string, PooledHop>();

export async function connectRoute(target: SshTarget): Promise<RoutedClient> {
  const route = await planRoute(target);
  const options: ConnectOptions = {
    hostKeyPolicy: target.hostKeyPolicy,
    knownHostsFiles: target.knownHostsFiles,
    ...(target.agentSocket ? { agentSocket: target.agentSocket } : {}),
    ...(target.connectTimeoutMs !== undefined ? { connectTimeoutMs: target.connectTimeoutMs } : {}),
  };
  const releases: (() => void)[] = [];
  const release = () => {
    // Innermost first: closing an outer hop first would cut the inner one from under it.
    for (const give of releases.splice(0).reverse()) give();
  };
  try {
    let via: { client: ssh2.Client; name: string } | undefined;
    let key = `${options.hostKeyPolicy}|${options.knownHostsFiles.join(":")}|`;
    for (const hop of route.jumps) {
      key += `${hop.user}@${endpointOf(hop)},`;
      const previous = via;
      const lease = await acquire(key, async () => {
        const sock = previous ? await tunnel(previous, hop, options) : undefined;
        return openClient(hop, { ...options, ...(sock ? { sock } : {}) });
      }).catch((error: unknown) => {
        throw jumpError(error, target.name);
      });
      releases.push(lease.release);
      via = { client: lease.client, name: hop.name };
    }
    const sock = via ? await tunnel(via, route.target, options) : undefined;
    const client = await openClient(route.target, { ...options, ...(sock ? { sock } : {}) });
    return { client, endpoint: route.target, release };
  } catch (error) {
    release();
    throw error;
  }
}

async function acquire(key: string, open: () => Promise<ssh2.Client>): Promise<{ client: ssh2.Client; release(): void }> {
  let entry = pool.get(key);
  if (!entry) {
    const fresh: PooledHop = { ready: open(), users: 0 };
    pool.set(key, fresh);
    const forget = () => {
      if (pool.get(key) === fresh) pool.delete(key);
    };
    // A hop that failed or went away is opened afresh by the next target that needs it.
    fresh.ready.then((client) => client.once("close", forget), forget);
    entry = fresh;
  }
  const held = entry;
  held.users++;
  let client: ssh2.Client;
  try {
    client = await held.ready;
  } catch (error) {
    held.users--;
    throw error;
  }
  let released = false;
  return {
    client,
    release: () => {
      if (released) return;
      released = true;
      if (--held.users > 0) return;
      if (pool.get(key) === held) pool.delete(key);
      client.end();
    },
  };
}

// Why: the next server's address is resolved and connected by the jump host (as `ssh -J` does), so a name only
// the jump host can resolve works; a hop that never answers must not hold the target past its timeout.
function tunnel(via: { client: ssh2.Client; name: string }, to: Endpoint, options: ConnectOptions): Promise<Duplex> {
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const fail = (reason: string) =>
    new UnreachableError(to.name, endpointOf(to), `not reachable through jump host ${via.name}: ${reason}`);
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      reject(fail(`timed out after ${formatDuration(timeoutMs)}`));
    }, timeoutMs);
    try {
      via.client.forwardOut("127.0.0.1", 0, to.address, to.port, (error, channel) => {
        if (settled) {
          channel?.close();
          return;
        }
        settled = true;
        clearTimeout(timer);
        if (error) return reject(fail(openFailure(error)));
        resolve(channel);
      });
    } catch (error) {
      // ssh2 throws at once when the hop's connection is already gone.
      settled = true;
      clearTimeout(timer);
      reject(fail(error instanceof Error ? error.message : String(error)));
    }
  });
}

// Why: sshd's words for a refused tunnel ("open failed") do not say that the jump host's own configuration refused it.
function openFailure(error: Error & { reason?: number | string }): string {
  const said = error.message.replace(/^\(SSH\) Channel open failure: /, "") || "channel open failed";
  // SSH_OPEN_ADMINISTRATIVELY_PROHIBITED (RFC 4254).
  if (error.reason === 1) return `the jump host refuses to forward (${said}; see AllowTcpForwarding and PermitOpen in its sshd_config)`;
  return said;
}

// Why: a hop's failure is shared by every target behind it, but each target's report must say which jump host
// stopped it and for whom; the class (host key, auth, unreachable) is kept so the exit code stays 4.
function jumpError(error: unknown, targetName: string): unknown {
  if (!(error instanceof UnreachableError)) return error;
  if (error.reason.startsWith("jump host for ")) return error;
  const Kind = error instanceof HostKeyError ? HostKeyError : error instanceof AuthError ? AuthError : UnreachableError;
  return new Kind(error.host, error.address, `jump host for ${targetName}: ${error.reason}`, { cause: error });
}
