// Two labs at once, for real: two state directories brought up at the same moment (racing for the subnet and
// the cache), each with a lab1 of its own. Acceptance: different bridges, subnets and machine names; each host
// reachable over SSH with its own lab's key only; no path between the labs; `lab down` (and a re-`up`) of one
// leaves the other fully working; after both are down nothing of either is left.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, readdir, readlink, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { execa } from "execa";
import { labDown, labExec, labStatus, labUp, sshArgs, type LabPaths, type LabState } from "../../src/lab/index.js";
import { bridgePorts, hostLinkName } from "../../src/lab/network.js";
import { labPaths } from "../../src/lab/paths.js";
import { isAlive } from "../../src/lab/procs.js";
import { overlaps, parseSubnet } from "../../src/lab/subnet.js";

const notRoot = process.getuid?.() !== 0;
const skip = notRoot ? "lab e2e tests need root (containers, mounts, bridge): run the suite with sudo" : false;
const TIMEOUT = 15 * 60_000;

// Both labs live in this file's own temp directories; the cache (and GLANCE_DEPLOY_LAB_CACHE) is shared.
let pa: LabPaths;
let pb: LabPaths;
before(async () => {
  if (notRoot) return;
  pa = labPaths({ ...process.env, GLANCE_DEPLOY_LAB_STATE: await mkdtemp(join(tmpdir(), "glance-deploy-lab-multi-a-")) });
  pb = labPaths({ ...process.env, GLANCE_DEPLOY_LAB_STATE: await mkdtemp(join(tmpdir(), "glance-deploy-lab-multi-b-")) });
});
after(async () => {
  if (notRoot) return;
  const downs = await Promise.allSettled([pa, pb].map((paths) => labDown({ paths, graceMs: 0 })));
  await Promise.all([pa, pb].map((p) => rm(p.state, { recursive: true, force: true })));
  for (const d of downs) if (d.status === "rejected") throw d.reason;
});

async function links(): Promise<Array<{ ifname: string; master?: string }>> {
  return JSON.parse((await execa("ip", ["-j", "link"])).stdout) as Array<{ ifname: string; master?: string }>;
}

async function sh(paths: LabPaths, host: string, command: string): Promise<string> {
  const r = await labExec(host, command, { paths });
  assert.equal(r.code, 0, `${paths.state} ${host}: ${command} exited ${r.code}\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

// What must be gone after `lab down` of one lab: its processes, anything rooted in its hosts, links, mounts.
async function assertNothingLeft(paths: LabPaths, state: LabState): Promise<void> {
  for (const h of state.hosts) {
    assert.equal(await isAlive(h.nspawn), false, `${h.machine}: systemd-nspawn ${h.nspawn?.pid} still alive`);
    assert.equal(await isAlive(h.init), false, `${h.machine}: container init ${h.init?.pid} still alive`);
  }
  for (const pid of (await readdir("/proc")).filter((p) => /^\d+$/.test(p))) {
    const root = await readlink(`/proc/${pid}/root`).catch(() => "/");
    assert.ok(!root.startsWith(paths.hosts), `process ${pid} still runs inside ${root}`);
  }
  const names = (await links()).map((l) => l.ifname);
  assert.ok(!names.includes(state.bridge), `bridge ${state.bridge} still exists`);
  for (const h of state.hosts) assert.ok(!names.includes(hostLinkName(h.machine!)), `link ${hostLinkName(h.machine!)} still exists`);
  const mountinfo = await readFile("/proc/self/mountinfo", "utf8");
  assert.ok(!mountinfo.includes(paths.state), `mounts left under ${paths.state}`);
  assert.equal((await labStatus({ paths })).up, false);
}

// Everything that makes a lab usable: processes, bridge with its address and settings, veths on it, SSH.
async function assertWorking(paths: LabPaths, state: LabState): Promise<void> {
  const status = await labStatus({ paths });
  assert.equal(status.up, true);
  for (const h of status.hosts) {
    assert.equal(h.running, true, `${h.name} not running`);
    assert.match(h.system, /^(running|degraded)$/, `${h.name}: ${h.system}`);
  }
  const addr = JSON.parse((await execa("ip", ["-j", "-4", "addr", "show", "dev", state.bridge])).stdout) as Array<{ addr_info: Array<{ local: string }> }>;
  assert.deepEqual(addr[0]?.addr_info.map((a) => a.local), [state.gateway]);
  assert.equal((await readFile(`/proc/sys/net/ipv4/conf/${state.bridge}/forwarding`, "utf8")).trim(), "0");
  assert.deepEqual((await bridgePorts(state.bridge)).sort(), state.hosts.map((h) => hostLinkName(h.machine!)).sort());
  for (const h of state.hosts) {
    assert.equal((await sh(paths, h.name, "hostname")).trim(), h.name);
    await sh(paths, h.name, `ping -c1 -W2 ${state.gateway}`);
  }
}

describe("lab e2e: two labs side by side", { skip, timeout: TIMEOUT }, () => {
  let a: LabState;
  let b: LabState;

  before(async () => {
    const started = Date.now();
    [a, b] = await Promise.all([
      labUp({ hosts: 1, paths: pa, log: (l) => console.error(`[a] ${l}`) }),
      labUp({ hosts: 2, paths: pb, log: (l) => console.error(`[b] ${l}`) }),
    ]);
    console.error(`two labs up at once in ${((Date.now() - started) / 1000).toFixed(1)} s: a ${a.subnet} on ${a.bridge}, b ${b.subnet} on ${b.bridge}`);
  }, { timeout: TIMEOUT });

  it("gives each lab its own bridge, subnet and machine names, while both have a lab1", async () => {
    assert.equal(a.hosts[0]!.name, "lab1");
    assert.deepEqual(b.hosts.map((h) => h.name), ["lab1", "lab2"]);
    assert.notEqual(a.bridge, b.bridge);
    assert.ok(!overlaps(parseSubnet(a.subnet), parseSubnet(b.subnet)), `${a.subnet} overlaps ${b.subnet}`);
    assert.notEqual(a.hosts[0]!.address, b.hosts[0]!.address);
    const machines = [...a.hosts, ...b.hosts].map((h) => h.machine);
    assert.equal(new Set(machines).size, 3, machines.join(" "));
    const all = await links();
    for (const [state, other] of [[a, b], [b, a]] as const) {
      for (const h of state.hosts) {
        const link = all.find((l) => l.ifname === hostLinkName(h.machine!));
        assert.equal(link?.master, state.bridge, `${hostLinkName(h.machine!)} must hang on ${state.bridge}, not ${other.bridge}`);
      }
    }
  });

  it("reaches each lab's lab1 over SSH with that lab's key and known_hosts only", async () => {
    const keys = [];
    for (const [paths, state] of [[pa, a], [pb, b]] as const) {
      assert.equal((await sh(paths, "lab1", "hostname")).trim(), "lab1");
      assert.equal((await sh(paths, "lab1", "ip -4 -o addr show dev host0")).split(/\s+/)[3], `${state.hosts[0]!.address}/24`);
      keys.push(await sh(paths, "lab1", "cat /etc/ssh/ssh_host_ed25519_key.pub"));
      assert.match(await readFile(paths.knownHosts, "utf8"), new RegExp(`^lab1,${state.hosts[0]!.address.replaceAll(".", "\\.")} `));
    }
    assert.notEqual(keys[0], keys[1], "the two lab1s must be different hosts");
    // One lab's key and known_hosts do not get into the other lab's lab1.
    const cross = await execa("ssh", [...sshArgs(a, b.hosts[0]!), "--", "true"], { reject: false, stdin: "ignore" });
    assert.equal(cross.exitCode, 255, "lab a's credentials must not open lab b's lab1");
  });

  it("has no path between the labs", async () => {
    assert.notEqual((await labExec("lab1", `ping -c1 -W1 ${b.hosts[0]!.address}`, { paths: pa })).code, 0, "lab a's lab1 reached lab b's lab1");
    assert.notEqual((await labExec("lab1", `ping -c1 -W1 ${b.gateway}`, { paths: pa })).code, 0, "lab a's lab1 reached lab b's bridge");
    assert.notEqual((await labExec("lab2", `ping -c1 -W1 ${a.hosts[0]!.address}`, { paths: pb })).code, 0, "lab b's lab2 reached lab a's lab1");
    await sh(pb, "lab1", `ping -c1 -W2 ${b.hosts[1]!.address}`);
  });

  it("cleans only its own lab on a repeated `up`: the other lab's hosts keep running", async () => {
    const before = b.hosts.map((h) => h.init!);
    const old = a;
    a = await labUp({ hosts: 1, paths: pa });
    assert.equal(await isAlive(old.hosts[0]!.init), false);
    for (const init of before) assert.equal(await isAlive(init), true, `lab b's container ${init.pid} was stopped by lab a's up`);
    assert.equal(a.bridge, old.bridge, "a lab keeps its names across ups");
    await assertWorking(pa, a);
    await assertWorking(pb, b);
  });

  it("lab down of the first lab leaves the second fully working", async () => {
    assert.deepEqual(await labDown({ paths: pa }), ["lab1"]);
    await assertNothingLeft(pa, a);
    await assertWorking(pb, b);
    await sh(pb, "lab1", "apt-get update -q >/dev/null && echo ok");
  });

  it("lab down of the second lab leaves nothing of either", async () => {
    assert.deepEqual((await labDown({ paths: pb })).sort(), ["lab1", "lab2"]);
    await assertNothingLeft(pb, b);
    await assertNothingLeft(pa, a);
    const names = (await links()).map((l) => l.ifname);
    for (const machine of [...a.hosts, ...b.hosts].map((h) => h.machine!)) assert.ok(!names.includes(hostLinkName(machine)));
  });
});

// Labs recorded before names were per lab (one shared bridge, "gdlab0"): `lab down` still removes the bridge its
// record names while that bridge is marked as this lab's, and never one marked as another lab's.
describe("lab e2e: records from before labs could coexist", { skip, timeout: 60_000 }, () => {
  it("removes a recorded bridge marked as this lab's, and leaves one marked as another lab's", async () => {
    const suffix = randomBytes(3).toString("hex");
    const [mine, theirs] = [`gdlg-${suffix}a`, `gdlg-${suffix}b`];
    const dirs = await Promise.all(["x", "y"].map((n) => mkdtemp(join(tmpdir(), `glance-deploy-lab-legacy-${n}-`))));
    const [px, py] = dirs.map((d) => labPaths({ ...process.env, GLANCE_DEPLOY_LAB_STATE: d })) as [LabPaths, LabPaths];
    try {
      const record = (bridge: string) => ({ version: 1, subnet: "10.250.0.0/24", bridge, gateway: "10.250.0.1", cacheKey: "k", controllerPerHost: false, inventory: "", key: "", knownHosts: "", hosts: [{ name: "lab1", address: "10.250.0.11", lowers: [] }] });
      await writeFile(px.labFile, JSON.stringify(record(mine)));
      await writeFile(py.labFile, JSON.stringify(record(theirs)));
      for (const [bridge, owner] of [[mine, px.state], [theirs, "/somewhere/else"]] as const) {
        await execa("ip", ["link", "add", bridge, "type", "bridge"]);
        await execa("ip", ["link", "set", bridge, "alias", `glance-deploy-lab:${owner}`]);
      }
      assert.deepEqual(await labDown({ paths: px }), ["lab1"]);
      assert.deepEqual(await labDown({ paths: py }), ["lab1"]);
      const names = (await links()).map((l) => l.ifname);
      assert.ok(!names.includes(mine), `${mine} (recorded and marked as this lab's) still exists`);
      assert.ok(names.includes(theirs), `${theirs} belongs to another lab and must stay`);
    } finally {
      for (const bridge of [mine, theirs]) await execa("ip", ["link", "del", bridge], { reject: false });
      await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    }
  });
});
