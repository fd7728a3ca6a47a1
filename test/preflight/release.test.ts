// Release profiles as data: /etc/os-release and the inventory's os_release in, the profile chosen or the
// preflight's one line out.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runPlay } from "../../src/apply/play.js";
import { applyDefaults } from "../../src/inventory/vars.js";
import { noChange, type Task } from "../../src/plan/types.js";
import { releaseSupported } from "../../src/preflight/host.js";
import { SUPPORTED_RELEASES } from "../../src/inventory/vars/releases.js";
import { profileFor, profiles, supportedReleases } from "../../src/profiles/index.js";
import { ScriptedHost } from "../helpers/scriptedHost.js";

const osRelease = (id: string, codename: string, version: string) => `PRETTY_NAME="x"\nID=${id}\nVERSION_ID="${version}"\nVERSION_CODENAME=${codename}\n`;
const BOOKWORM = osRelease("debian", "bookworm", "12");
const TRIXIE = osRelease("debian", "trixie", "13");
const UBUNTU = osRelease("ubuntu", "noble", "24.04");
const FORKY = osRelease("debian", "forky", "14");

const cases = [
  { title: "bookworm host, nothing declared: bookworm profile", file: BOOKWORM, declared: undefined, profile: "bookworm" },
  { title: "bookworm host, bookworm declared", file: BOOKWORM, declared: "bookworm", profile: "bookworm" },
  { title: "trixie host, nothing declared: the detected trixie profile", file: TRIXIE, declared: undefined, profile: "trixie" },
  { title: "trixie host, trixie declared", file: TRIXIE, declared: "trixie", profile: "trixie" },
  {
    title: "bookworm declared on a trixie host fails naming both and the supported list",
    file: TRIXIE,
    declared: "bookworm",
    error: /^preflight failed: os_release is bookworm but h1 runs trixie: set os_release: trixie \(supported: bookworm, trixie\) or leave it unset$/,
  },
  { title: "trixie declared on a bookworm host fails the same way", file: BOOKWORM, declared: "trixie", error: /os_release is trixie but h1 runs bookworm: .*supported: bookworm, trixie/ },
  { title: "a release with no profile fails naming the supported ones", file: FORKY, declared: undefined, error: /^preflight failed: h1 runs debian forky; supported Debian releases: bookworm, trixie$/ },
  { title: "not Debian fails the same way", file: UBUNTU, declared: undefined, error: /runs ubuntu noble; supported Debian releases: bookworm, trixie/ },
  { title: "no /etc/os-release", file: undefined, declared: undefined, error: /runs an unknown system unknown/ },
];

describe("release profile selection", () => {
  for (const c of cases) {
    it(c.title, async () => {
      const h = new ScriptedHost("h1");
      if (c.file) h.files.set("/etc/os-release", { content: c.file, mode: 0o644, owner: "root", group: "root" });
      let seen: string | undefined;
      const look: Task = { name: "look", tags: [], check: async (ctx) => ((seen = ctx.profile.release), noChange) };
      const vars = applyDefaults("h1", c.declared ? { os_release: c.declared } : {});
      const report = await runPlay({
        playbook: { name: "p", group: "controller", preflight: [releaseSupported], tasks: [look] },
        hosts: [{ name: "h1", groups: ["controller"], vars }],
        connect: async () => h,
      });
      if (c.error) {
        assert.match(report.hosts.h1!.error ?? "", c.error);
        assert.equal(seen, undefined, "no task ran");
      } else {
        assert.equal(report.hosts.h1!.error, undefined);
        assert.equal(seen, c.profile);
      }
    });
  }

  it("render's profile comes from os_release, bookworm when unset; an unknown release is refused", () => {
    assert.equal(profileFor({}).release, "bookworm");
    assert.equal(profileFor({ os_release: "bookworm" }).packages.glance[0], "glance");
    assert.equal(profileFor({ os_release: "trixie" }).release, "trixie");
    assert.equal(profileFor({ os_release: "trixie" }).versionId, "13");
    assert.throws(() => profileFor({ os_release: "sid" } as never), /no profile for Debian release sid; supported: bookworm, trixie/);
  });

  it("every supported release has a profile, and every profile is a supported release", () => {
    assert.deepEqual(supportedReleases(), [...SUPPORTED_RELEASES]);
    for (const [name, profile] of Object.entries(profiles)) assert.equal(profile.release, name);
  });
});
