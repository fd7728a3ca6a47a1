import { freeKbFact, resolvesFact } from "../facts/host.js";
import { osReleaseFact } from "../facts/osRelease.js";
import type { HostVars } from "../inventory/vars.js";
import type { Preflight } from "../plan/types.js";
import { supportedReleases } from "../profiles/index.js";

// Checks of the host itself, read in the play's one probe like any fact; each failure names the fix.

// The two host checks are read in the play's one probe, like any fact.
export const controllerResolves: Preflight = {
  name: "controller name resolves on the host",
  facts: (v) => [resolvesFact(v.controller_host)],
  async run(ctx) {
    const name = ctx.vars.controller_host;
    if (!(await ctx.facts.get(resolvesFact(name)))) {
      throw new Error(`\`${name}\` does not resolve on ${ctx.host.name}: add "${ctx.vars.management_address} ${name}" to /etc/hosts or fix DNS`);
    }
  },
};

// Where new images land on the host: the default backend's directory when it is a file store; otherwise the
// staging store, which interoperable import fills before data moves on.
const imageDir = (v: HostVars) => {
  const chosen = v.glance_backends.find((b) => b.id === v.glance_default_backend);
  return chosen?.type === "file" ? (chosen.datadir ?? v.glance_filesystem_store_datadir) : v.glance_staging_dir;
};

export const imageStoreSpace: Preflight = {
  name: "free space for the image store",
  facts: (v) => [freeKbFact(imageDir(v))],
  async run(ctx) {
    const dir = imageDir(ctx.vars);
    const availKb = await ctx.facts.get(freeKbFact(dir));
    if (!Number.isFinite(availKb)) throw new Error(`cannot measure free space under ${dir}`);
    const needMb = ctx.vars.glance_min_free_mb;
    if (availKb / 1024 < needMb) {
      throw new Error(`only ${Math.floor(availKb / 1024)} MiB free under ${dir}, glance_min_free_mb asks for ${needMb}: free space or lower the variable`);
    }
  },
};

// The release the inventory declares (or render assumed) must be the host's, and one this tool has a profile for.
export const releaseSupported: Preflight = {
  name: "Debian release has a profile",
  async run(ctx) {
    const os = await ctx.facts.get(osReleaseFact);
    const supported = supportedReleases();
    const running = os.codename ?? "unknown";
    if (os.id !== "debian" || !supported.includes(running)) {
      throw new Error(`${ctx.host.name} runs ${os.id ?? "an unknown system"} ${running}; supported Debian releases: ${supported.join(", ")}`);
    }
    const declared = ctx.host.vars.os_release;
    if (declared !== undefined && declared !== running) {
      throw new Error(`os_release is ${declared} but ${ctx.host.name} runs ${running}: set os_release: ${running} (supported: ${supported.join(", ")}) or leave it unset`);
    }
  },
};
