import { quote } from "shlex";
import { packagesFact } from "../facts/packages.js";
import type { HostVars } from "../inventory/vars.js";
import { exec } from "../plan/actions.js";
import { noChange, type Task } from "../plan/types.js";

// apt-get as an unattended operator runs it: no prompts, keep existing configs, wait for the dpkg lock
// (another apt run, unattended-upgrades) up to apt_lock_timeout, refresh lists only when they are stale.
//
// Packages do not start their services while apt runs (a policy-rc.d that refuses every start, there only for
// the install): Debian's keystone and glance start at once with their own defaults, and restarting them seconds
// later, while uwsgi still loads its workers, ran into the 15 s stop timeout, a kill and a failed start (25-47 s
// of a first deploy). The playbooks' `running` tasks start each service once its configuration is in place. An
// operator's own policy-rc.d is left alone and decides as before.
export const POLICY_RC_D = "/usr/sbin/policy-rc.d";

export function aptInstallCommand(names: string[], vars: HostVars): string {
  const lock = `-o DPkg::Lock::Timeout=${Math.round(vars.apt_lock_timeout)}`;
  const fresh = "find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -60 2>/dev/null | grep -q .";
  const install = `apt-get ${lock} install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold ${names.map((n) => quote(n)).join(" ")}`;
  const held = `trap 'rm -f ${POLICY_RC_D}' EXIT && printf '#!/bin/sh\\nexit 101\\n' > ${POLICY_RC_D} && chmod 0755 ${POLICY_RC_D} && ${install}`;
  return [
    "export DEBIAN_FRONTEND=noninteractive",
    `{ ${fresh} || apt-get ${lock} update -q; }`,
    `if [ -e ${POLICY_RC_D} ]; then ${install}; else ${held}; fi`,
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
