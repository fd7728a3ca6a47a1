// The lab for real: systemd-nspawn containers, overlay mounts, a bridge and sshd. No mocks.
// Acceptance: one host boots to running/degraded over SSH and installs curl offline from the lab repo;
// three hosts are reachable from the machine and from each other; `lab down` leaves no process, link or mount.
import assert from "node:assert/strict";
import { readFile, readdir, readlink } from "node:fs/promises";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { execa } from "execa";
import { parse } from "yaml";
import { labDown, labExec, labStatus, labUp, type LabState } from "../../src/lab/index.js";
import { hostLinkName } from "../../src/lab/network.js";
import { labPaths } from "../../src/lab/paths.js";
import { isAlive } from "../../src/lab/procs.js";
import { useTempLab } from "../helpers/tempLab.js";

const notRoot = process.getuid?.() !== 0;
const skip = notRoot ? "lab e2e tests need root (containers, mounts, bridge): run the suite with sudo" : false;
const TIMEOUT = 15 * 60_000;

const lab = useTempLab("glance-deploy-lab-e2e-");

// What must be gone after `lab down`: recorded processes, any process rooted in a host's root, links, mounts.
async function assertNothingLeft(state: LabState): Promise<void> {
  for (const h of state.hosts) {
    assert.equal(await isAlive(h.nspawn), false, `${h.name}: systemd-nspawn ${h.nspawn?.pid} still alive`);
    assert.equal(await isAlive(h.init), false, `${h.name}: container init ${h.init?.pid} still alive`);
  }
  const hostsDir = labPaths().hosts;
  for (const pid of (await readdir("/proc")).filter((p) => /^\d+$/.test(p))) {
    const root = await readlink(`/proc/${pid}/root`).catch(() => "/");
    assert.ok(!root.startsWith(hostsDir), `process ${pid} still runs inside ${root}`);
  }
  const links = JSON.parse((await execa("ip", ["-j", "link"])).stdout) as Array<{ ifname: string }>;
  const names = links.map((l) => l.ifname);
  assert.ok(!names.includes(state.bridge), `bridge ${state.bridge} still exists`);
  for (const h of state.hosts) assert.ok(!names.includes(hostLinkName(h.machine!)), `link ${hostLinkName(h.machine!)} still exists`);
  const mountinfo = await readFile("/proc/self/mountinfo", "utf8");
  assert.ok(!mountinfo.includes(lab.state), `mounts left under ${lab.state}:\n${mountinfo.split("\n").filter((l) => l.includes(lab.state)).join("\n")}`);
  assert.equal((await labStatus()).up, false);
}

async function sh(host: string, command: string, user?: string): Promise<string> {
  const r = await labExec(host, command, user ? { user } : {});
  assert.equal(r.code, 0, `${host}: ${command} exited ${r.code}\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

describe("lab e2e: one host", { skip, timeout: TIMEOUT }, () => {
  let state: LabState;

  before(async () => {
    state = await labUp({ hosts: 1, log: (l) => console.error(l) });
  }, { timeout: TIMEOUT });

  it("boots systemd to running or degraded, reachable over SSH with the lab key", async () => {
    assert.deepEqual(state.hosts.map((h) => h.name), ["lab1"]);
    assert.match(state.hosts[0]!.address, /\.11$/);
    const status = (await labExec("lab1", "systemctl is-system-running")).stdout.trim();
    assert.ok(status === "running" || status === "degraded", `systemctl is-system-running said ${JSON.stringify(status)}`);
    assert.equal((await sh("lab1", "readlink /proc/1/exe")).trim(), "/usr/lib/systemd/systemd");
    assert.equal((await sh("lab1", "systemctl is-active ssh")).trim(), "active");
    assert.match(await sh("lab1", "cat /etc/os-release"), /^VERSION_CODENAME=trixie$/m, "Debian's stable is the default");
    assert.equal(state.release, "trixie");
  });

  it("sees the lab cache read-only (what lab upgrade installs from), its own repository among it", async () => {
    const key = state.cacheKey;
    await sh("lab1", `test -r /srv/labcaches/${key}/repo/Packages`);
    assert.notEqual((await labExec("lab1", `touch /srv/labcaches/${key}/x`)).code, 0, "the cache must be read-only inside");
  });

  it("has a deployer user with passwordless sudo and maps controller to the host", async () => {
    assert.equal((await sh("lab1", "sudo -n id -u", "deployer")).trim(), "0");
    assert.equal((await sh("lab1", "id -un", "deployer")).trim(), "deployer");
    assert.equal((await sh("lab1", "getent hosts controller")).split(/\s+/)[0], state.hosts[0]!.address);
    assert.equal((await sh("lab1", "hostname")).trim(), "lab1");
  });

  it("installs curl offline from the lab repository, the only apt source, with no route out", async () => {
    assert.equal((await sh("lab1", "ip route show default")).trim(), "", "a lab host must have no default route");
    assert.notEqual((await labExec("lab1", "dpkg -s curl")).code, 0, "curl must not be in the base image");
    const sources = await sh("lab1", "cat /etc/apt/sources.list; ls /etc/apt/sources.list.d");
    assert.equal(sources.trim(), "deb [trusted=yes] file:/srv/labrepo ./");
    await sh("lab1", "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q curl");
    assert.match(await sh("lab1", "curl --version"), /^curl \d/);
  });

  it("writes an inventory with the host's address, the lab key, known_hosts and secret files", async () => {
    const doc = parse(await readFile(state.inventory, "utf8"));
    assert.equal(doc.all.children.controller.hosts.lab1.ansible_host, state.hosts[0]!.address);
    assert.equal(doc.all.vars.ansible_ssh_private_key_file, join(lab.state, "id_ed25519"));
    const known = await readFile(doc.all.vars.ssh_known_hosts_file, "utf8");
    assert.match(known, new RegExp(`^lab1,${state.hosts[0]!.address.replaceAll(".", "\\.")} ssh-ed25519 `));
    for (const [, ref] of Object.entries(doc.all.vars).filter(([k]) => k.endsWith("_password"))) {
      assert.ok((await readFile((ref as { file: string }).file, "utf8")).length >= 20);
    }
    // The deploy's own client must get in with exactly what the inventory names, strictly checking the host key.
    const r = await execa("ssh", ["-i", doc.all.vars.ansible_ssh_private_key_file, "-o", `UserKnownHostsFile=${doc.all.vars.ssh_known_hosts_file}`, "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", `root@${state.hosts[0]!.address}`, "true"], { reject: false });
    assert.equal(r.exitCode, 0, r.stderr);
  });

  it("cleans a stale lab on the next up: the old containers are gone, the new host starts clean (as Debian 12)", async () => {
    const old = state;
    await sh("lab1", "touch /root/left-by-first-lab");
    state = await labUp({ hosts: 1, release: "bookworm" });
    assert.match(await sh("lab1", "cat /etc/os-release"), /^VERSION_CODENAME=bookworm$/m);
    assert.equal((await labStatus()).release, "bookworm");
    for (const h of old.hosts) assert.equal(await isAlive(h.init), false, `old ${h.name} init still alive`);
    assert.notEqual(state.hosts[0]!.init!.pid, old.hosts[0]!.init!.pid);
    assert.notEqual((await labExec("lab1", "test -e /root/left-by-first-lab")).code, 0, "a new lab must start from a fresh copy");
    assert.notEqual((await labExec("lab1", "dpkg -s curl")).code, 0, "packages installed in the old lab must be gone");
  });

  it("lab down leaves no container process, link or mount", async () => {
    const down = await labDown();
    assert.deepEqual(down, ["lab1"]);
    await assertNothingLeft(state);
  });
});

describe("lab e2e: three hosts", { skip, timeout: TIMEOUT }, () => {
  let state: LabState;

  before(async () => {
    state = await labUp({ hosts: 3 });
  }, { timeout: TIMEOUT });

  it("makes every host reachable over SSH from the machine, each with its own name and host key", async () => {
    assert.deepEqual(state.hosts.map((h) => h.name), ["lab1", "lab2", "lab3"]);
    for (const h of state.hosts) assert.equal((await sh(h.name, "hostname")).trim(), h.name);
    const keys = await Promise.all(state.hosts.map((h) => sh(h.name, "cat /etc/ssh/ssh_host_ed25519_key.pub")));
    assert.equal(new Set(keys).size, 3, "host keys must differ between hosts");
    const doc = parse(await readFile(state.inventory, "utf8"));
    assert.deepEqual(Object.keys(doc.all.children.controller.hosts), ["lab1"]);
    assert.deepEqual(Object.keys(doc.all.children.compute.hosts), ["lab2", "lab3"]);
  });

  it("lets host 1 reach host 3 (ICMP and sshd), by name and address, and the machine's bridge address", async () => {
    const lab3 = state.hosts[2]!.address;
    await sh("lab1", `ping -c1 -W2 ${lab3}`);
    await sh("lab1", "ping -c1 -W2 lab3");
    await sh("lab1", `timeout 5 bash -c 'exec 3<>/dev/tcp/${lab3}/22; head -c 7 <&3' | grep -q SSH-2.0`);
    await sh("lab3", `ping -c1 -W2 ${state.gateway}`);
    assert.equal((await sh("lab3", "getent hosts controller")).split(/\s+/)[0], state.hosts[0]!.address);
  });

  it("lab down stops all three and leaves nothing behind", async () => {
    assert.deepEqual((await labDown()).sort(), ["lab1", "lab2", "lab3"]);
    await assertNothingLeft(state);
  });
});
