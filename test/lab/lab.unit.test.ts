// Pure parts of the lab: subnet choice, per-lab names, locks, cache key, secrets, known_hosts and option checks
// (inventory and /etc/hosts: lab.layout.unit.test.ts; the CLI: lab.cli.unit.test.ts). No root, no containers.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { UsageError } from "../../src/errors.js";
import { renderKnownHosts } from "../../src/lab/keys.js";
import { cacheKey, defaultCacheSpec, repoPackages } from "../../src/lab/packages.js";
import { labPaths } from "../../src/lab/paths.js";
import { ensureSecrets, generateSecret, HOSTILE_CHARACTERS, SECRET_NAMES } from "../../src/lab/secrets.js";
import { chooseSubnet, formatSubnet, gatewayAddress, hostAddress, parseSubnet } from "../../src/lab/subnet.js";
import { validateUpOptions } from "../../src/lab/up.js";
import { missingPackages } from "../../src/lab/prereqs.js";
import { ensureCache, cacheLocation } from "../../src/lab/cache.js";
import { withFileLock } from "../../src/lab/flock.js";
import { bridgeName, hostLinkName, labId, machineName, MAX_IFNAME } from "../../src/lab/network.js";

const machine = [
  { cidr: "192.0.2.2/24", dev: "eth0" },
  { cidr: "192.0.2.0/24", dev: "eth0" },
  { cidr: "default", dev: "eth0" },
  { cidr: "127.0.0.1/8", dev: "lo" },
];

describe("lab subnet", () => {
  it("uses 10.77.0.0/24 when nothing on the machine overlaps it", () => {
    assert.equal(formatSubnet(chooseSubnet(undefined, machine, "gdlab0")), "10.77.0.0/24");
  });

  it("falls back to another 10.x /24 when a route or address overlaps the default", () => {
    const busy = [...machine, { cidr: "10.76.0.0/15", dev: "wg0" }];
    assert.equal(formatSubnet(chooseSubnet(undefined, busy, "gdlab0")), "10.78.0.0/24");
    const addr = [...machine, { cidr: "10.77.0.200/24", dev: "docker0" }];
    assert.equal(formatSubnet(chooseSubnet(undefined, addr, "gdlab0")), "10.78.0.0/24");
  });

  it("ignores the lab's own bridge (a stale lab does not push the subnet away)", () => {
    const stale = [...machine, { cidr: "10.77.0.1/24", dev: "gdlab0" }, { cidr: "10.77.0.0/24", dev: "gdlab0" }];
    assert.equal(formatSubnet(chooseSubnet(undefined, stale, "gdlab0")), "10.77.0.0/24");
  });

  it("counts another lab's bridge as taken, so a second lab falls back", () => {
    const other = [...machine, { cidr: "10.77.0.1/24", dev: "gdlab-aaaaaa" }, { cidr: "10.77.0.0/24", dev: "gdlab-aaaaaa" }];
    assert.equal(formatSubnet(chooseSubnet(undefined, other, "gdlab-bbbbbb")), "10.78.0.0/24");
    assert.throws(() => chooseSubnet("10.77.0.0/24", other, "gdlab-bbbbbb"), /clashes with 10\.77\.0\.\d\/24 on gdlab-aaaaaa/);
  });

  it("never silently replaces an explicit subnet that clashes", () => {
    assert.throws(() => chooseSubnet("192.0.2.0/25", machine, "gdlab0"), (e: unknown) => e instanceof UsageError && /clashes with 192\.0\.2\.\d+\/24 on eth0/.test(e.message));
    assert.equal(formatSubnet(chooseSubnet("172.31.9.0/24", machine, "gdlab0")), "172.31.9.0/24");
  });

  it("fails clearly when every candidate clashes", () => {
    assert.throws(() => chooseSubnet(undefined, [{ cidr: "10.0.0.0/8", dev: "vpn0" }], "gdlab0"), UsageError);
  });

  it("refuses malformed subnets and host bits", () => {
    for (const bad of ["10.77.0.5/24", "10.77.0.0", "10.77.0.0/30", "300.1.1.0/24", "x/24"]) assert.throws(() => parseSubnet(bad), UsageError, bad);
  });

  it("puts the machine at .1 and hosts at .11 upward, within the subnet", () => {
    const s = parseSubnet("10.77.0.0/24");
    assert.equal(gatewayAddress(s), "10.77.0.1");
    assert.deepEqual([0, 1, 2].map((i) => hostAddress(s, i)), ["10.77.0.11", "10.77.0.12", "10.77.0.13"]);
    assert.equal(hostAddress(parseSubnet("10.8.0.0/16"), 300), "10.8.1.55");
    assert.throws(() => hostAddress(parseSubnet("10.9.0.16/28"), 4), UsageError);
  });
});

describe("lab names on the machine", () => {
  it("derive bridge, machine and veth names from the absolute state directory, within the kernel's limit", () => {
    const a = labPaths({}).state;
    const b = labPaths({ GLANCE_DEPLOY_LAB_STATE: "/tmp/glance-deploy-lab-e2e-x1" }).state;
    assert.equal(a, "/var/lib/glance-deploy/lab");
    assert.match(bridgeName(a), /^gdlab-[0-9a-f]{6}$/);
    assert.equal(bridgeName(a), bridgeName(a), "stable across calls");
    assert.notEqual(bridgeName(a), bridgeName(b));
    assert.notEqual(machineName(a, 0), machineName(b, 0), "two labs' lab1 must not share a machine name");
    assert.notEqual(machineName(a, 0), machineName(a, 1));
    for (const state of [a, b]) {
      assert.ok(bridgeName(state).length <= MAX_IFNAME);
      for (const i of [0, 9, 49]) {
        assert.match(machineName(state, i), new RegExp(`^gd${labId(state)}-${i + 1}$`));
        assert.ok(`vb-${machineName(state, i)}`.length <= MAX_IFNAME, "nspawn must not have to shorten the veth name");
        assert.equal(hostLinkName(machineName(state, i)), `vb-${machineName(state, i)}`);
      }
    }
  });

  it("resolves a relative state directory, so the identity does not depend on the working directory", () => {
    assert.equal(labPaths({ GLANCE_DEPLOY_LAB_STATE: "rel/lab" }).state, join(process.cwd(), "rel/lab"));
    assert.equal(labPaths({ GLANCE_DEPLOY_LAB_STATE: "/tmp/x/" }).state, "/tmp/x");
  });
});

describe("lab locks", () => {
  it("serialises holders of the same lock file, waiting rather than failing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lab-lock-"));
    try {
      const events: string[] = [];
      let waited = 0;
      const hold = (name: string) =>
        withFileLock(join(dir, "sub", "l.lock"), { what: "test", timeoutMs: 10_000, onWait: () => waited++ }, async () => {
          events.push(`${name}+`);
          await new Promise((r) => setTimeout(r, 500));
          events.push(`${name}-`);
          return name;
        });
      assert.deepEqual(await Promise.all([hold("a"), hold("b")]), ["a", "b"]);
      assert.ok(/^(a\+a-b\+b-|b\+b-a\+a-)$/.test(events.join("")), events.join(" "));
      assert.equal(waited, 1);
      // Released after an error in the holder.
      await assert.rejects(withFileLock(join(dir, "sub", "l.lock"), { what: "test", timeoutMs: 5000 }, async () => { throw new Error("boom"); }), /boom/);
      assert.equal(await withFileLock(join(dir, "sub", "l.lock"), { what: "test", timeoutMs: 2000 }, async () => "again"), "again");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("gives up after the timeout with a clear error", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lab-lock-"));
    try {
      const path = join(dir, "l.lock");
      await withFileLock(path, { what: "test", timeoutMs: 10_000 }, async () => {
        await assert.rejects(withFileLock(path, { what: "the inner test", timeoutMs: 1000 }, async () => "never"), /gave up waiting for the inner test after 1 s/);
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("builds a cache once when two labs start cold at the same moment; the other waits and reuses it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lab-cache-"));
    try {
      let builds = 0;
      const build = async (scratch: string) => {
        builds++;
        await writeFile(join(scratch, "marker"), "built");
        await new Promise((r) => setTimeout(r, 700));
        return 1;
      };
      const spec = defaultCacheSpec();
      const lines: string[] = [];
      const [a, b] = await Promise.all([0, 1].map(() => ensureCache(dir, spec, (l) => lines.push(l), { build })));
      assert.equal(builds, 1, lines.join("\n"));
      assert.deepEqual(a, b);
      assert.deepEqual(a, cacheLocation(dir, spec));
      assert.equal(await readFile(join(a!.dir, "marker"), "utf8"), "built");
      assert.ok(lines.some((l) => /waiting for another lab building the cache/.test(l)), lines.join("\n"));
      assert.ok(!existsSync(`${a!.dir}.partial`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("lab cache key", () => {
  it("is stable for the same release and packages in any order, and names the release", () => {
    for (const release of ["bookworm", "trixie"]) {
      const spec = defaultCacheSpec(release);
      assert.equal(cacheKey(spec), cacheKey({ ...spec, repoPackages: [...spec.repoPackages].reverse() }));
      assert.match(cacheKey(spec), new RegExp(`^${release}-[0-9a-f]{16}$`));
    }
    assert.equal(defaultCacheSpec().release, "trixie", "Debian's stable is the default");
  });

  it("changes when the package list or release changes", () => {
    const spec = defaultCacheSpec("bookworm");
    assert.notEqual(cacheKey(spec), cacheKey({ ...spec, repoPackages: [...spec.repoPackages, "htop"] }));
    assert.notEqual(cacheKey(spec), cacheKey({ ...spec, basePackages: spec.basePackages.slice(1) }));
    assert.notEqual(cacheKey(spec), cacheKey(defaultCacheSpec("trixie")));
  });

  it("covers every package the playbooks install, on each release", () => {
    for (const release of ["bookworm", "trixie"]) {
      for (const p of ["mariadb-server", "python3-pymysql", "memcached", "python3-memcache", "keystone", "glance", "python3-openstackclient", "python3-glanceclient", "qemu-utils", "curl", "python3-apt"]) {
        assert.ok(repoPackages(release).includes(p), `${release}: ${p}`);
      }
    }
  });
});

describe("lab secrets", () => {
  it("generates long secrets holding every hostile character, not starting or ending in space", () => {
    for (let i = 0; i < 50; i++) {
      const s = generateSecret();
      assert.ok(s.length >= 20);
      for (const c of HOSTILE_CHARACTERS) assert.ok(s.includes(c), `missing ${JSON.stringify(c)} in a secret`);
      assert.match(s, /^[A-Za-z0-9].*[A-Za-z0-9]$/s);
    }
    assert.notEqual(generateSecret(), generateSecret());
  });

  it("creates mode-0600 files once and keeps their values", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lab-secrets-"));
    try {
      const first = await ensureSecrets(join(dir, "s"));
      for (const name of SECRET_NAMES) {
        assert.equal(((await stat(join(dir, "s", name))).mode & 0o777), 0o600);
        assert.equal(await readFile(join(dir, "s", name), "utf8"), first[name]);
      }
      await writeFile(join(dir, "s", "glance_db_password"), "kept", { mode: 0o644 });
      const second = await ensureSecrets(join(dir, "s"));
      assert.equal(second.glance_db_password, "kept");
      assert.equal(second.keystone_db_password, first.keystone_db_password);
      assert.equal(((await stat(join(dir, "s", "glance_db_password"))).mode & 0o777), 0o600);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("lab known_hosts", () => {
  it("lists each host key under both name and address", () => {
    assert.equal(
      renderKnownHosts([{ name: "lab1", address: "10.77.0.11", hostPublicKey: "ssh-ed25519 AAAAkey comment" }]),
      "lab1,10.77.0.11 ssh-ed25519 AAAAkey\n",
    );
  });
});

describe("lab up options", () => {
  it("accepts the defaults and refuses names that would not fit a veth name", () => {
    assert.deepEqual(validateUpOptions({}), { count: 1, prefix: "lab" });
    assert.throws(() => validateUpOptions({ hosts: 0 }), UsageError);
    assert.throws(() => validateUpOptions({ hosts: 2.5 }), UsageError);
    assert.throws(() => validateUpOptions({ name: "Lab" }), UsageError);
    assert.throws(() => validateUpOptions({ name: "averyverylongname" }), UsageError);
  });
});

describe("lab prerequisites", () => {
  it("asks dpkg which packages are missing", { skip: !existsSync("/usr/bin/dpkg-query") && "not a Debian machine" }, async () => {
    assert.deepEqual(await missingPackages(["dpkg", "glance-deploy-no-such-package"]), ["glance-deploy-no-such-package"]);
  });
});
