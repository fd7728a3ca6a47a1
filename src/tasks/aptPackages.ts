import { quote } from "shlex";
import { packagesFact } from "../facts/packages.js";
import type { HostVars } from "../inventory/vars.js";
import { exec } from "../plan/actions.js";
import { noChange, type Task } from "../plan/types.js";

// apt-get as an unattended operator runs it: no prompts, keep existing configs, wait for the dpkg lock
// (another apt run, unattended-upgrades) up to apt_lock_timeout, refresh lists only when they are stale.
export function aptInstallCommand(names: string[], vars: HostVars): string {
  const lock = `-o DPkg::Lock::Timeout=${Math.round(vars.apt_lock_timeout)}`;
  const fresh = "find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -60 2>/dev/null | grep -q .";
  return [
    "export DEBIAN_FRONTEND=noninteractive",
    `{ ${fresh} || apt-get ${lock} update -q; }`,
    `apt-get ${lock} install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold ${names.map((n) => quote(n)).join(" ")}`,
  ].join(" && ");
}

export interface AptPackagesOptions {
  name: string;
  tags: string[];
  // Names, or the release profile's names for the host's variables.
  packages: string[] | ((vars: HostVars) => string[]);
  notify?: string[];
}

// Packages present (any version): installs the missing ones in one apt-get run.
export function aptPackages(options: AptPackagesOptions): Task {
  const names = (v: HostVars) => (typeof options.packages === "function" ? options.packages(v) : options.packages);
  return {
    name: options.name,
    tags: options.tags,
    ...(options.notify ? { notify: options.notify } : {}),
    facts: (v) => [packagesFact(names(v))],
    async check(ctx) {
      const wanted = names(ctx.vars);
      const installed = await ctx.facts.get(packagesFact(wanted));
      const missing = wanted.filter((p) => !installed.has(p));
      if (missing.length === 0) return noChange;
      return {
        change: true,
        summary: `install ${missing.join(" ")}`,
        actions: [exec(aptInstallCommand(missing, ctx.vars), { what: `apt-get install ${missing.join(" ")}` })],
      };
    },
  };
}
