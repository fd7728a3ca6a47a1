import { Command, InvalidArgumentError } from "commander";
import { UsageError } from "../errors.js";

// `glance-deploy lab …`: thin wrappers over src/lab, imported lazily so `--help` loads none of it.

// Rejects "2.5", "0" and "-1" at parse time, with commander's own error format.
function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError("must be a whole number ≥ 1");
  return n;
}

// Built fresh per call so the lead's main can add it to its program (and tests can inspect it).
export function labCommand(): Command {
  const lab = new Command("lab")
    // The program adds this command with addCommand, which does not pass its exit override down: without this a
    // bad option value (`--hosts 0`) ended the process with commander's exit 1 instead of the usage code, 5.
    .exitOverride()
    // Lets `lab ssh HOST CMD -x` hand "-x" to the remote command instead of parsing it here.
    .enablePositionalOptions()
    .description("real Debian 13 or 12 controller hosts on this machine (systemd-nspawn containers with sshd and a local apt repository)")
    .addHelpText(
      "after",
      `
Needs root. State (key, known_hosts, secrets, inventory) lives in /var/lib/glance-deploy/lab,
caches (base root filesystem, apt repository) in /var/cache/glance-deploy/lab; override with
GLANCE_DEPLOY_LAB_STATE / GLANCE_DEPLOY_LAB_CACHE. Labs with different state directories run side by
side, each on its own bridge and subnet; every command acts on the lab of the current state directory only.

  glance-deploy lab up && glance-deploy deploy --inventory inventory/lab.yaml
  glance-deploy lab up --release bookworm && glance-deploy lab upgrade lab1 --release trixie`,
    );

  lab
    .command("up")
    .description("start fresh lab hosts (removing this state directory's previous lab) and write their inventory")
    .option("--hosts <n>", "number of hosts", positiveInt, 1)
    .option("--name <prefix>", "host name prefix: <prefix>1, <prefix>2, …", "lab")
    .option("--release <name>", "Debian release of the hosts: trixie (default) or bookworm; with --from, the snapshot's")
    .option("--subnet <cidr>", "IPv4 subnet for the lab bridge (default 10.77.0.0/24, or the next one free of the machine's networks and other labs)")
    .option("--from <snapshot>", "boot hosts from this snapshot; when all do, `controller` maps to each host itself")
    .option("--from-hosts <n>", "with --from: only the first N hosts boot from it, the rest blank; `controller` is then the first host", positiveInt)
    .option("--controllers <n>", "the first N hosts go into the inventory's controller group, the rest into compute (default 1, or all when every host boots from --from)", positiveInt)
    .action(async (opts: { hosts: number; name: string; release?: string; subnet?: string; from?: string; fromHosts?: number; controllers?: number }) => {
      const { labUp } = await import("../lab/up.js");
      const { labPaths } = await import("../lab/paths.js");
      const started = Date.now();
      const { hosts, name, release, subnet, from, fromHosts, controllers } = opts;
      const state = await labUp({ hosts, name, release, subnet, from, fromHosts, controllers, log: (l) => console.error(l) });
      for (const h of state.hosts) console.log(`${h.name}\t${h.address}`);
      console.log(`inventory: ${state.inventory}`);
      // The committed inventory/lab.yaml describes only the default lab; say when this one differs.
      const isDefault =
        state.inventory === labPaths({}).inventory && state.hosts.length === 1 && state.hosts[0]!.name === "lab1" && state.subnet === "10.77.0.0/24" && !state.from;
      if (!isDefault) console.error(`lab: this lab differs from the default one; deploy with --inventory ${state.inventory} (not inventory/lab.yaml)`);
      console.error(`lab: ${state.hosts.length} Debian ${state.release} host(s) up on ${state.subnet} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });

  lab
    .command("status")
    .description("show the lab's hosts, whether their containers run, and systemd's state on each")
    .option("--json", "machine-readable output")
    .action(async (opts: { json?: boolean }) => {
      const { labStatus } = await import("../lab/status.js");
      const status = await labStatus();
      if (opts.json) {
        console.log(JSON.stringify({ up: status.up, release: status.release, subnet: status.state?.subnet, hosts: status.hosts }, null, 2));
        return;
      }
      if (!status.state) {
        console.log("no lab is up");
        return;
      }
      console.log(`Debian ${status.release}  subnet ${status.state.subnet}  bridge ${status.state.bridge}  inventory ${status.state.inventory}`);
      for (const h of status.hosts) {
        console.log(`${h.name}\t${h.address}\t${h.running ? `pid ${h.initPid}` : "not running"}\t${h.system}${h.upgradedTo ? `\tupgraded to ${h.upgradedTo}` : ""}`);
      }
    });

  lab
    .command("ssh")
    .description("open a shell (or run CMD) on a lab host with the lab key")
    .argument("<host>", "host name (lab1) or address")
    .argument("[cmd...]", "command to run instead of a login shell")
    .option("-u, --user <user>", "log in as this user (root, or deployer for sudo tests)", "root")
    .passThroughOptions()
    // Unless the root program also enables positional options, commander hands "-x" here as an option.
    .allowUnknownOption()
    .addHelpText("after", "\nPut -- before a command that has options of its own: lab ssh lab1 -- ls -la /srv/labrepo")
    .action(async (host: string, cmd: string[], opts: { user: string }) => {
      const [{ labHost, sshArgs }, { execa }] = await Promise.all([import("../lab/ssh.js"), import("execa")]);
      const found = await labHost(host);
      // With positional options commander hands the "--" itself through as part of the command.
      const words = cmd[0] === "--" ? cmd.slice(1) : cmd;
      const tty = words.length === 0 && process.stdin.isTTY ? ["-t"] : [];
      const r = await execa("ssh", [...sshArgs(found.state, found.host, opts.user, tty), ...(words.length ? ["--", words.join(" ")] : [])], {
        stdio: "inherit",
        reject: false,
      });
      // The remote command's own exit status is the answer; 255 is ssh failing to connect.
      if (r.exitCode === 255) throw new UsageError(`ssh to ${found.host.name} (${found.host.address}) failed`);
      process.exitCode = r.exitCode ?? 1;
    });

  lab
    .command("down")
    .description("stop every host of this lab and remove its links, bridge and mounts (caches, snapshots and other labs stay)")
    .action(async () => {
      const { labDown } = await import("../lab/down.js");
      const hosts = await labDown();
      console.log(hosts.length ? `lab down: stopped ${hosts.join(", ")}` : "lab down: nothing was running");
    });

  lab
    .command("snapshot")
    .description("stop a host cleanly and keep its disk as a snapshot for `lab up --from`")
    .argument("<host>", "host to snapshot (it leaves the running lab)")
    .argument("<name>", "snapshot name")
    .option("--replace", "overwrite an existing snapshot of that name")
    .action(async (host: string, name: string, opts: { replace?: boolean }) => {
      const { labSnapshot } = await import("../lab/snapshot.js");
      const meta = await labSnapshot(host, name, { replace: !!opts.replace });
      console.log(`snapshot ${meta.name} taken from ${meta.takenFrom}`);
    });

  lab
    .command("upgrade")
    .description("upgrade a lab host's Debian release as an operator would: its apt source becomes the lab's repository for --release, then a non-interactive apt-get full-upgrade keeping changed config files; nothing else (no reboot, no deploy)")
    .argument("<host>", "lab host name (lab1) or address")
    .requiredOption("--release <name>", "Debian release to upgrade to (trixie)")
    .action(async (host: string, opts: { release: string }) => {
      const { labUpgrade } = await import("../lab/upgrade.js");
      const started = Date.now();
      const r = await labUpgrade(host, { release: opts.release, log: (l) => console.error(l) });
      console.log(`${r.host}: Debian ${r.from} → ${r.to}${r.summary ? ` (${r.summary})` : ""}`);
      console.error(`lab: upgrade took ${((Date.now() - started) / 1000).toFixed(1)} s; run deploy next`);
    });

  return lab;
}
