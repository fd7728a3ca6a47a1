import { chmod, mkdir, readdir, rename, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { run } from "./run.js";

// The base root filesystem every lab host starts from: minimal Debian that boots systemd, runs sshd,
// has a `deployer` sudoer, and knows only the lab's own apt repository.

export const REPO_MOUNT = "/srv/labrepo";
// Every host also sees the whole lab cache read-only here, so `lab upgrade` finds another release's repository
// (even one built after the host booted) without copying it in.
export const CACHES_MOUNT = "/srv/labcaches";
export const NETWORK_ENV = "/etc/glance-deploy-lab/network";
const NETWORK_SCRIPT = "/usr/local/sbin/glance-deploy-lab-network";
const NETWORK_UNIT = "glance-deploy-lab-network.service";

// mmdebstrap uses the machine's apt configuration (proxy and all) to fetch from Debian's registry, from exactly
// the sources the lab repository is resolved from (release, -updates, -security), so both agree on versions.
// The base's own .debs are kept and moved into the repository: a host of an older release upgrading to this one
// (`lab upgrade`) needs every package of the release, libc and systemd included, not only what a base lacks.
export async function buildBaseRootfs(dir: string, release: string, packages: readonly string[], sources: readonly string[], repoDir: string): Promise<number> {
  const keepDebs = ["--skip=essential/unlink", "--skip=cleanup/apt/cache"];
  await run("mmdebstrap", ["--quiet", "--variant=minbase", ...keepDebs, `--include=${packages.join(",")}`, release, dir, ...sources], { timeout: 30 * 60_000 });
  const archives = join(dir, "var/cache/apt/archives");
  await mkdir(repoDir, { recursive: true });
  const debs = (await readdir(archives)).filter((f) => f.endsWith(".deb"));
  for (const f of debs) await rename(join(archives, f), join(repoDir, f));
  await customiseBase(dir);
  return debs.length;
}

// Host-independent configuration; everything per host (name, address, keys) is written at each start.
async function customiseBase(root: string): Promise<void> {
  const at = (p: string) => join(root, p);
  // Host keys made by the package postinst would be shared by every host: each start makes its own.
  for (const f of await readdir(at("etc/ssh"))) if (f.startsWith("ssh_host_")) await rm(at(`etc/ssh/${f}`));
  await writeFile(
    at("etc/ssh/sshd_config.d/glance-deploy-lab.conf"),
    [
      "# glance-deploy lab: key authentication only; each host start writes its own ed25519 host key.",
      "HostKey /etc/ssh/ssh_host_ed25519_key",
      "PermitRootLogin prohibit-password",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UseDNS no",
      "",
    ].join("\n"),
  );

  // The containers have no route out: the lab's repository is the only source, like a host behind a mirror.
  await writeFile(at("etc/apt/sources.list"), `deb [trusted=yes] file:${REPO_MOUNT} ./\n`);
  await rm(at("etc/apt/sources.list.d"), { recursive: true, force: true });
  await mkdir(at("etc/apt/sources.list.d"));
  await mkdir(at(REPO_MOUNT.slice(1)), { recursive: true });
  // Names come from /etc/hosts; an empty resolver config makes other lookups fail at once instead of timing out.
  await rm(at("etc/resolv.conf"), { force: true });
  await writeFile(at("etc/resolv.conf"), "# glance-deploy lab: no DNS; lab names are in /etc/hosts\n");

  // The non-root login that tests privilege escalation (become) through passwordless sudo.
  await run("chroot", [root, "useradd", "--create-home", "--shell", "/bin/bash", "deployer"]);
  // "*" (not the default "!") so the account counts as usable-by-key rather than locked.
  await run("chroot", [root, "usermod", "--password", "*", "deployer"]);
  await writeFile(at("etc/sudoers.d/deployer"), "deployer ALL=(ALL:ALL) NOPASSWD: ALL\n", { mode: 0o440 });
  await chmod(at("etc/sudoers.d/deployer"), 0o440);

  await installNetworkUnit(root);
  // Timers that would take the dpkg lock at random moments and fail tests that install packages.
  await run("chroot", [root, "systemctl", "mask", "apt-daily.timer", "apt-daily-upgrade.timer"]);
  await writeFile(at("etc/hostname"), "lab\n");
  await writeFile(at("etc/machine-id"), "");
}

// The address is configured inside the host, before network.target, so services that bind to the host's
// own address (MariaDB on `controller`) find it at boot; lab up also sets it from outside with nsenter.
async function installNetworkUnit(root: string): Promise<void> {
  const at = (p: string) => join(root, p);
  await mkdir(at("usr/local/sbin"), { recursive: true });
  await writeFile(
    at(NETWORK_SCRIPT.slice(1)),
    [
      "#!/bin/sh",
      "# glance-deploy lab: bring up the container's veth with the address `lab up` wrote. No default route:",
      "# the lab's hosts only reach each other and the machine's bridge address.",
      "set -eu",
      `. ${NETWORK_ENV}`,
      "ip link set lo up",
      'ip address replace "$ADDRESS" dev host0',
      "ip link set host0 up",
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
  await writeFile(
    at(`etc/systemd/system/${NETWORK_UNIT}`),
    [
      "[Unit]",
      "Description=glance-deploy lab network (host0)",
      "DefaultDependencies=no",
      `ConditionPathExists=${NETWORK_ENV}`,
      "Before=sysinit.target network-pre.target network.target",
      "Wants=network.target",
      "",
      "[Service]",
      "Type=oneshot",
      "RemainAfterExit=yes",
      `ExecStart=${NETWORK_SCRIPT}`,
      "",
      "[Install]",
      "WantedBy=sysinit.target",
      "",
    ].join("\n"),
  );
  await mkdir(at("etc/systemd/system/sysinit.target.wants"), { recursive: true });
  await symlink(`/etc/systemd/system/${NETWORK_UNIT}`, at(`etc/systemd/system/sysinit.target.wants/${NETWORK_UNIT}`));
}
