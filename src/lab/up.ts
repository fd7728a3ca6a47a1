import { access, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import { ensureCache } from "./cache.js";
import { configureNetwork, startContainer, waitForInit, waitForPort } from "./container.js";
import { writeHostFiles, type HostIdentity } from "./hostfiles.js";
import { labLayout, labTexts } from "./layout.js";
import { ensureLabKey, generateHostKey, renderKnownHosts, writeKnownHosts } from "./keys.js";
import { withLabLock } from "./lock.js";
import { mountOverlay } from "./mounts.js";
import { withFileLock } from "./flock.js";
import { bridgeName, createBridge, machineName, machineNetworks } from "./network.js";
import { defaultCacheSpec, labRelease } from "./packages.js";
import { hostDirs, labPaths, type LabPaths } from "./paths.js";
import { ensureOverlaySupport, ensurePrerequisites } from "./prereqs.js";
import { run } from "./run.js";
import { ensureSecrets } from "./secrets.js";
import { readSnapshot, releaseWithSnapshot } from "./snapshot.js";
import { waitForSystem } from "./ready.js";
import { writePids, writeState, type HostState, type LabState } from "./state.js";
import { chooseSubnet, formatSubnet, gatewayAddress, hostAddress, type Subnet } from "./subnet.js";
import { bridgeAlias, teardownLab } from "./teardown.js";

export interface LabUpOptions {
  // Number of hosts (default 1).
  hosts?: number;
  // Host name prefix (default "lab": lab1, lab2, …).
  name?: string;
  // IPv4 CIDR; default 10.77.0.0/24 or the first fallback that does not clash with the machine's networks.
  subnet?: string;
  // Debian release of the hosts (default trixie, Debian's stable; with `from`, the snapshot's).
  release?: string;
  // Boot hosts from this snapshot (see labSnapshot) instead of the clean base.
  from?: string;
  // With `from`: only the first this many hosts boot from the snapshot, the others from the clean base (default:
  // all). In such a mixed lab every host maps `controller` to the first host.
  fromHosts?: number;
  // How many of the first hosts join the inventory's `controller` group, the rest `compute` (default: 1, or every
  // host when all boot from a snapshot).
  controllers?: number;
  // Map `controller` to each host's own address (default: true when every host boots from `from`, else false).
  controllerPerHost?: boolean;
  // Per-host wait for sshd and a finished boot.
  bootTimeoutMs?: number;
  log?: (line: string) => void;
  paths?: LabPaths;
}

export const DEFAULT_PREFIX = "lab";
const MAX_HOSTS = 50;

// Host names are what the inventory and /etc/hosts use (several labs may each have a lab1); nspawn's machine
// and veth names are derived per lab instead (see machineName), so the 12-character limit is only for brevity.
export function validateUpOptions(options: LabUpOptions): { count: number; prefix: string } {
  const count = options.hosts ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > MAX_HOSTS) throw new UsageError(`--hosts must be a whole number from 1 to ${MAX_HOSTS} (got ${options.hosts})`);
  const prefix = options.name ?? DEFAULT_PREFIX;
  if (!/^[a-z][a-z0-9-]*$/.test(prefix)) throw new UsageError(`--name "${prefix}" must start with a lowercase letter and hold only a-z, 0-9 and "-"`);
  if (`${prefix}${count}`.length > 12) throw new UsageError(`--name "${prefix}" is too long: host names (${prefix}${count}) must fit 12 characters`);
  return { count, prefix };
}

// Boots a fresh lab (cleaning any previous lab of this state directory first) and returns what it made; the
// inventory is written to the state directory. Labs of other state directories keep running alongside, each on
// its own bridge and subnet. Cold: builds the cache (about a minute); warm: seconds.
export async function labUp(options: LabUpOptions = {}): Promise<LabState> {
  const { count, prefix } = validateUpOptions(options);
  // Decided before anything is built, so a bad --controllers or --from-hosts costs nothing.
  const plan = labLayout({
    hosts: count,
    controllers: options.controllers,
    fromSnapshot: options.from !== undefined,
    fromHosts: options.fromHosts,
    controllerPerHost: options.controllerPerHost,
  });
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const paths = options.paths ?? labPaths();
  // A snapshot decides the release (a different one asked for is refused) before anything is installed, built,
  // or torn down: a refused `up` leaves the running lab alone.
  const snapshot = options.from !== undefined ? await readSnapshot(paths, options.from) : undefined;
  const release = snapshot ? releaseWithSnapshot(snapshot, options.release) : labRelease(options.release);
  await ensurePrerequisites(log);
  await ensureOverlaySupport();
  return withLabLock(paths.lockFile, async () => {
    const stale = await teardownLab(paths, { graceMs: 0 });
    if (stale.hosts.length > 0) log(`lab: removed the previous lab (${stale.hosts.join(", ")})`);
    const bridge = bridgeName(paths.state);
    // Checked now so a clashing --subnet fails before any build; chosen for real under the network lock below.
    chooseSubnet(options.subnet, await machineNetworks(), bridge);

    const cache = await ensureCache(paths.cache, defaultCacheSpec(release), log, { lockFile: paths.cacheLock });
    if (snapshot && snapshot.cacheKey !== cache.key) {
      throw new UsageError(`snapshot "${options.from}" was taken from base ${snapshot.cacheKey}, but this lab uses ${cache.key}; take it again`);
    }
    const lowersOf = (i: number) => [...(plan.hosts[i]!.fromSnapshot && snapshot ? snapshot.layers : []), cache.rootfs];
    const { controllerPerHost } = plan;

    const authorizedKey = await ensureLabKey(paths.key);
    await ensureSecrets(paths.secrets);
    await ensureVerifyImage(paths.verifyImage);

    const layout = (subnet: Subnet) => {
      const identities: HostIdentity[] = Array.from({ length: count }, (_, i) => ({
        name: `${prefix}${i + 1}`,
        address: hostAddress(subnet, i),
        prefix: subnet.prefix,
      }));
      const state: LabState = {
        version: 1,
        subnet: formatSubnet(subnet),
        bridge,
        gateway: gatewayAddress(subnet),
        cacheKey: cache.key,
        release,
        ...(options.from !== undefined ? { from: options.from } : {}),
        controllerPerHost,
        inventory: paths.inventory,
        key: paths.key,
        knownHosts: paths.knownHosts,
        hosts: identities.map((h, i) => ({ name: h.name, machine: machineName(paths.state, i), address: h.address, lowers: lowersOf(i) })),
      };
      return { identities, state };
    };

    // Subnet choice and bridge creation happen under one machine-wide lock: a lab's bridge (with its address)
    // exists before the next lab looks at the machine's networks, so two labs never pick the same subnet.
    let lab: ReturnType<typeof layout> | undefined;
    try {
      lab = await withFileLock(paths.networkLock, { what: "the lab network", timeoutMs: 120_000, onWait: () => log("lab: waiting for another lab setting up its network") }, async () => {
        const subnet = chooseSubnet(options.subnet, await machineNetworks(), bridge);
        const described = layout(subnet);
        // Recorded before the bridge exists, so a failure from here on is cleaned up by the next attempt.
        await writeState(paths.labFile, described.state);
        await createBridge(bridge, bridgeAlias(paths), described.state.gateway, subnet.prefix);
        return described;
      });
      const { identities, state } = lab;
      const texts = labTexts(paths, identities, plan);
      const hostKeys = await Promise.all(identities.map((identity, i) => prepareHost(paths, identity, state.hosts[i]!.lowers, texts.etcHosts[i]!, authorizedKey)));
      await writeKnownHosts(paths.knownHosts, renderKnownHosts(identities.map((h, i) => ({ ...h, hostPublicKey: hostKeys[i]! }))));
      const timeout = options.bootTimeoutMs ?? 120_000;
      await Promise.all(state.hosts.map((host) => bootHost(paths, state, host, cache.repo, timeout)));
      await writeState(paths.labFile, state);
      await writeFile(paths.inventory, texts.inventory, { mode: 0o644 });
      return state;
    } catch (error) {
      // Whatever got started is recorded; take it all down so a failed `up` leaves nothing running.
      if (lab) await writeState(paths.labFile, lab.state).catch(() => undefined);
      await teardownLab(paths, { graceMs: 0 }).catch((e: unknown) => log(`lab: cleanup after failure also failed: ${(e as Error).message}`));
      throw error;
    }
  });
}

// A fresh overlay (empty upper over the cached layers) with this host's own identity written into it.
async function prepareHost(
  paths: LabPaths,
  identity: HostIdentity,
  lowers: readonly string[],
  etcHosts: string,
  authorizedKey: string,
): Promise<string> {
  const d = hostDirs(paths, identity.name);
  await rm(d.dir, { recursive: true, force: true });
  for (const p of [d.upper, d.work, d.root]) await mkdir(p, { recursive: true, mode: 0o755 });
  await mountOverlay(lowers, d.upper, d.work, d.root);
  const hostKey = await generateHostKey(d.hostKey);
  await writeHostFiles(d.root, {
    identity,
    etcHosts,
    hostPrivateKey: hostKey.privateKey,
    hostPublicKey: hostKey.publicKey,
    authorizedKey,
  });
  return hostKey.publicKey;
}

// Starts one container and waits until it accepts SSH and systemd has finished booting.
async function bootHost(paths: LabPaths, state: LabState, host: HostState, repo: string, timeoutMs: number): Promise<void> {
  const d = hostDirs(paths, host.name);
  const pidFile = join(d.dir, "pids.json");
  const machine = host.machine ?? host.name;
  const nspawn = await startContainer({ name: host.name, machine, root: d.root, repo, caches: paths.cache, bridge: state.bridge, consoleLog: d.console });
  host.nspawn = nspawn;
  await writePids(pidFile, { nspawn });
  const init = await waitForInit(host.name, nspawn, d.console, 30_000);
  host.init = init;
  await writePids(pidFile, { nspawn, init });
  await configureNetwork(host.name, init, `${host.address}/${state.subnet.split("/")[1]}`, 30_000, d.console);
  await waitForPort(host.name, host.address, 22, init, d.console, timeoutMs);
  await waitForSystem(state, host, timeoutMs);
}

// The image `deploy` uploads to check Glance end to end: tiny, made locally, kept across runs.
async function ensureVerifyImage(path: string): Promise<void> {
  if (await access(path).then(() => true, () => false)) return;
  await run("qemu-img", ["create", "-q", "-f", "qcow2", path, "16M"]);
}

