// The lab's releases, without containers: where each release is fetched from, the private apt configuration
// that resolves it, the package list read from the profiles, snapshots bound to their release, and the
// operator's upgrade commands.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { execa } from "execa";
import { UsageError } from "../../src/errors.js";
import { DEFAULT_MIRRORS, machineMirrors, mirrorsFrom, parseSources, releaseSources } from "../../src/lab/archive.js";
import { renderAptConfig, writePrivateApt } from "../../src/lab/aptConfig.js";
import { LAB_EXTRA_PACKAGES, labRelease, repoPackages } from "../../src/lab/packages.js";
import { releaseWithSnapshot, type SnapshotMeta } from "../../src/lab/snapshot.js";
import { checkUpgrade, keptBack, upgradeScript } from "../../src/lab/upgrade.js";
import { profiles, supportedReleases } from "../../src/profiles/index.js";

const DEB822 = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.example/debian-security/
Suites: bookworm-security
Components: main

Types: deb
URIs: https://vendor.example/apt
Suites: bookworm
Enabled: no
`;

const mirrorCases = [
  { title: "deb822 stanzas of the machine's release name both mirrors", files: [{ text: DEB822, deb822: true }], release: "bookworm", want: { debian: "http://mirror.example/debian", security: "http://mirror.example/debian-security" } },
  { title: "one-line entries with options and comments", files: [{ text: "# local\ndeb [arch=amd64] http://m.example/debian bookworm main\ndeb http://m.example/sec bookworm-security main\n", deb822: false }], release: "bookworm", want: { debian: "http://m.example/debian", security: "http://m.example/sec" } },
  { title: "a third-party suite is never taken for Debian's", files: [{ text: "deb https://packages.cloud.google.com/apt cloud-sdk-bookworm main\n", deb822: false }], release: "bookworm", want: DEFAULT_MIRRORS },
  { title: "no sources, or no release known: deb.debian.org", files: [], release: undefined, want: DEFAULT_MIRRORS },
  { title: "a disabled stanza does not count", files: [{ text: "Types: deb\nURIs: http://off.example/debian\nSuites: bookworm\nEnabled: no\n", deb822: true }], release: "bookworm", want: DEFAULT_MIRRORS },
];

describe("lab archive mirrors", () => {
  for (const c of mirrorCases) {
    it(c.title, () => {
      assert.deepEqual(mirrorsFrom(c.files.flatMap((f) => parseSources(f.text, f.deb822)), c.release), c.want);
    });
  }

  it("reads the machine's sources files the same way", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lab-mirrors-"));
    try {
      await writeFile(join(dir, "os-release"), 'ID=debian\nVERSION_CODENAME=bookworm\n');
      await mkdir(join(dir, "sources.list.d"));
      await writeFile(join(dir, "sources.list.d", "debian.sources"), DEB822);
      assert.deepEqual(await machineMirrors(dir, join(dir, "os-release")), { debian: "http://mirror.example/debian", security: "http://mirror.example/debian-security" });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("gives a release its main suites: release, -updates and -security", () => {
    const lines = releaseSources("trixie", { debian: "http://m.example/debian", security: "http://m.example/debian-security" });
    assert.deepEqual(
      lines.map((l) => l.replace(/\[[^\]]*\] /, "")),
      ["deb http://m.example/debian trixie main", "deb http://m.example/debian trixie-updates main", "deb http://m.example/debian-security trixie-security main"],
    );
    for (const l of lines) assert.match(l, /\[signed-by=\/usr\/share\/keyrings\/debian-archive-keyring\.gpg\]/);
  });
});

describe("lab private apt configuration", () => {
  it("names its own sources, lists, caches and status; reads no sources.list.d", () => {
    const text = renderAptConfig({ dir: "/c/apt", release: "trixie", status: "/c/rootfs/var/lib/dpkg/status", archives: "/c/repo" });
    const settings: Record<string, string> = Object.fromEntries([...text.matchAll(/^(\S+) "([^"]*)";$/gm)].map((m) => [m[1]!, m[2]!]));
    assert.equal(settings["Dir::Etc::sourcelist"], "/c/apt/sources.list");
    assert.equal(settings["Dir::Etc::sourceparts"], "-");
    assert.equal(settings["Dir::State::Lists"], "/c/apt/lists");
    assert.equal(settings["Dir::Cache"], "/c/apt/cache");
    assert.equal(settings["Dir::State::status"], "/c/rootfs/var/lib/dpkg/status");
    assert.equal(settings["Dir::Cache::archives"], "/c/repo");
    // Nothing may point into the machine's own apt state.
    for (const [key, value] of Object.entries(settings)) assert.ok(!/^\/(var\/lib\/apt|var\/cache\/apt|etc\/apt)/.test(value), `${key} = ${value}`);
  });

  it("refuses a path apt's syntax cannot carry", () => {
    assert.throws(() => renderAptConfig({ dir: '/c/a"b', release: "trixie", status: "/s", archives: "/r" }), /double quote/);
  });

  it("writes the configuration, the sources and the directories apt expects", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lab-apt-"));
    try {
      const apt = await writePrivateApt({ dir: join(dir, "apt"), release: "trixie", mirrors: DEFAULT_MIRRORS, status: join(dir, "status"), archives: join(dir, "repo") });
      assert.equal(apt.env.APT_CONFIG, join(dir, "apt", "apt.conf"));
      assert.match(await readFile(join(dir, "apt", "sources.list"), "utf8"), /trixie-security main\n$/);
      for (const d of ["apt/lists/partial", "apt/cache", "apt/state", "apt/preferences.d", "repo/partial"]) assert.ok((await stat(join(dir, d))).isDirectory(), d);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("lab package list", () => {
  for (const release of supportedReleases()) {
    it(`${release}: every package of the ${release} profile and the lab's extras, nothing else`, () => {
      const fromProfile = Object.values(profiles[release]!.packages).flat();
      assert.deepEqual(new Set(repoPackages(release)), new Set([...fromProfile, ...LAB_EXTRA_PACKAGES]));
    });
  }

  it("defaults to trixie and refuses a release with no profile, naming the supported ones", () => {
    assert.equal(labRelease(undefined), "trixie");
    assert.throws(() => labRelease("sid"), (e: unknown) => e instanceof UsageError && /--release sid.*bookworm, trixie/.test(e.message));
  });
});

const snapshot = (release: string | undefined, cacheKey: string): SnapshotMeta => ({
  name: "site",
  cacheKey,
  ...(release ? { release } : {}),
  layers: [],
  takenFrom: "lab1",
  takenAt: "2026-11-29T00:00:00Z",
});

const snapshotCases = [
  { title: "no --release: the snapshot's", meta: snapshot("bookworm", "bookworm-0123456789abcdef"), asked: undefined, want: "bookworm" },
  { title: "the same release asked for", meta: snapshot("trixie", "trixie-0123456789abcdef"), asked: "trixie", want: "trixie" },
  { title: "a snapshot from before releases were recorded reads its cache key", meta: snapshot(undefined, "bookworm-0123456789abcdef"), asked: undefined, want: "bookworm" },
  { title: "another release is refused naming both", meta: snapshot("bookworm", "bookworm-0123456789abcdef"), asked: "trixie", error: /snapshot "site" was taken on a Debian bookworm lab and cannot boot as trixie/ },
];

describe("lab snapshots and releases", () => {
  for (const c of snapshotCases) {
    it(c.title, () => {
      if (c.error) assert.throws(() => releaseWithSnapshot(c.meta, c.asked), (e: unknown) => e instanceof UsageError && c.error.test(e.message));
      else assert.equal(releaseWithSnapshot(c.meta, c.asked), c.want);
    });
  }
});

const upgradeCases = [
  { from: "bookworm", to: "trixie", ok: true },
  { from: "trixie", to: "trixie", ok: true },
  { from: "trixie", to: "bookworm", ok: false, error: /older and Debian does not downgrade/ },
  { from: "bullseye", to: "trixie", ok: false, error: /runs Debian bullseye, which the lab does not know/ },
];

describe("lab upgrade", () => {
  for (const c of upgradeCases) {
    it(`${c.from} → ${c.to}: ${c.ok ? "allowed" : "refused"}`, () => {
      if (c.ok) checkUpgrade(c.from, c.to);
      else assert.throws(() => checkUpgrade(c.from, c.to), (e: unknown) => e instanceof UsageError && c.error!.test(e.message));
    });
  }

  it("points apt at the lab repository only, then full-upgrades keeping changed config files", () => {
    const script = upgradeScript("/srv/labcaches/trixie-0123456789abcdef/repo");
    const lines = script.split("\n");
    const source = lines.findIndex((l) => l.includes("> /etc/apt/sources.list"));
    const update = lines.indexOf("apt-get update -q");
    const upgrade = lines.findIndex((l) => l.startsWith("apt-get full-upgrade -y"));
    assert.ok(source >= 0 && source < update && update < upgrade, script);
    assert.match(lines[source]!, /^echo 'deb \[trusted=yes\] file:\/srv\/labcaches\/trixie-0123456789abcdef\/repo \.\/' > \/etc\/apt\/sources\.list$/);
    assert.match(lines[upgrade]!, /-o Dpkg::Options::=--force-confold/);
    assert.match(script, /DEBIAN_FRONTEND=noninteractive UCF_FORCE_CONFFOLD=1/);
    // The only things it does: no reboot, no service handling, no config edits.
    assert.doesNotMatch(script, /reboot|systemctl|sed -i|glance|keystone/);
  });

  it("names the packages apt kept back when the release did not change", () => {
    const apt = "Calculating upgrade...\nThe following packages have been kept back:\n  base-files libc6\n  mariadb-server\nThe following packages will be upgraded:\n  glance-api\n";
    assert.deepEqual(keptBack(apt), ["base-files", "libc6", "mariadb-server"]);
    assert.deepEqual(keptBack("0 upgraded, 0 newly installed\n"), []);
  });

  it("writes a hostile repository path into the source line literally", async () => {
    const repo = `/srv/x'y"$(touch /tmp/no)\`z\``;
    const line = upgradeScript(repo).split("\n").find((l) => l.includes("> /etc/apt/sources.list"))!;
    const r = await execa("sh", ["-c", line.replace(" > /etc/apt/sources.list", "")]);
    assert.equal(r.stdout, `deb [trusted=yes] file:${repo} ./`);
  });
});
