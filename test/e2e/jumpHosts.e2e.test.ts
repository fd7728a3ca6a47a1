// A controller that only its jump hosts may reach, on lab hosts: lab1 (a converged controller) admits only
// connections coming from lab2 or lab3 (bare hosts), so a deploy from this machine succeeds only if it really went
// through them. Deploy and verify
// through one jump host named by an ~/.ssh/config alias, through a chain of two, and a strict host key policy
// meeting an unknown jump host key (exit 4 naming the jump host).
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { execa } from "execa";
import { parse, stringify } from "yaml";
import type { PlayReport } from "../../src/report/types.js";
import { SshTransport } from "../../src/transport/ssh.js";
import { convergedLab, type ConvergedLab } from "../helpers/converged.js";

const skip = process.getuid?.() !== 0 ? "e2e tests need root (they build lab hosts)" : false;
const BIN = new URL("../../dist/src/cli/bin.js", import.meta.url).pathname;
let lab: ConvergedLab;
let sshConfig: string;

const address = (i: number) => lab.state.hosts[i]!.address;
// The controller, the first jump host and the second.
const [TARGET, JUMP1, JUMP2] = [0, 1, 2];
const escaped = (i: number) => address(i).replace(/\./g, "\\.");
const ONLY_FROM = "/etc/ssh/sshd_config.d/only-from-jump-hosts.conf";

// The lab's own inventory with lab1 alone in `controller`, reached as the alias `target`.
async function inventory(name: string, vars: Record<string, unknown>): Promise<string> {
  const doc = parse(await readFile(lab.inventory, "utf8")) as { all: { vars: Record<string, unknown>; children: Record<string, unknown> } };
  const file = join(lab.paths.state, `inventory.${name}.yaml`);
  const all = { vars: { ...doc.all.vars, ansible_ssh_common_args: `-F ${sshConfig}`, ...vars }, children: { controller: { hosts: { lab1: { ansible_host: "target", management_address: "controller" } } } } };
  await writeFile(file, stringify({ all }));
  return file;
}

async function deploy(file: string): Promise<{ code: number | undefined; report: PlayReport; output: string }> {
  const r = await execa("node", [BIN, "deploy", "--inventory", file, "--playbook", "site", "--json"], { reject: false, env: { CI: "1" }, timeout: 20 * 60_000 });
  return { code: r.exitCode, report: JSON.parse(r.stdout || "{}") as PlayReport, output: `${r.stderr}\n${r.stdout.slice(0, 4000)}` };
}

// Runs a command on lab1 the way the tool reaches it, through lab2 (the library, not the CLI).
async function onTarget(command: string): Promise<string> {
  const t = await SshTransport.connect({
    name: "lab1",
    address: address(TARGET),
    user: "root",
    privateKeyPath: lab.state.key,
    become: false,
    hostKeyPolicy: "accept-new",
    knownHostsFiles: [lab.state.knownHosts],
    proxyJump: `root@${address(JUMP1)}`,
  });
  try {
    const r = await t.exec(command);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  } finally {
    await t.close();
  }
}

function assertVerified(report: PlayReport, output: string): void {
  const verify = report.tasks?.find((t) => t.host === "lab1" && t.name === "Verify Glance");
  assert.equal(verify?.status, "ok", `${output}\n${JSON.stringify(verify)}`);
}

describe("a controller behind jump hosts", { skip, timeout: 60 * 60_000 }, () => {
  before(async () => {
    // Only the controller is a converged clone: the jump hosts are bare hosts, so three full OpenStack
    // controllers do not start at once on a shared machine.
    lab = await convergedLab(3, ["site"], { fromHosts: 1, controllers: 1 });
    sshConfig = join(lab.paths.state, "ssh_config");
    await writeFile(sshConfig, [`Host target`, `  HostName ${address(TARGET)}`, "  ProxyJump bastion", "Host bastion", `  HostName ${address(JUMP1)}`, "Host bastion2", `  HostName ${address(JUMP2)}`, ""].join("\n"));
    // From now on lab1 admits only its jump hosts; this machine (the lab bridge's address) is refused.
    const r = await lab.exec("lab1", `printf 'AllowUsers root@${address(JUMP1)} root@${address(JUMP2)}\\n' > ${ONLY_FROM} && systemctl reload ssh`);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => lab?.down());

  it("control: lab1 refuses this machine directly (exit 4 naming lab1)", async () => {
    const file = await inventory("direct", { ssh_proxy_jump: "none" });
    const { code, report, output } = await deploy(file);
    assert.equal(code, 4, output);
    assert.equal(report.hosts.lab1?.unreachable, true);
    assert.match(report.hosts.lab1?.error ?? "", new RegExp(`^lab1 \\(${escaped(TARGET)}:22\\): authentication failed`));
  });

  it("an ~/.ssh/config alias behind one jump host: deploy and verify", async () => {
    const { code, report, output } = await deploy(await inventory("one-jump", {}));
    assert.equal(code, 0, output);
    assertVerified(report, output);
  });

  it("strict policy and an unknown jump host key: exit 4 naming the jump host", async () => {
    // lab1's key is known, the jump host's is not.
    const known = join(lab.paths.state, "known_hosts.target-only");
    const lines = (await readFile(lab.state.knownHosts, "utf8")).split("\n").filter((l) => l.split(" ")[0]!.split(",").includes(address(TARGET)));
    assert.ok(lines.length > 0, "lab1's key is in the lab's known_hosts");
    await writeFile(known, lines.join("\n") + "\n");
    const { code, report, output } = await deploy(await inventory("strict", { ssh_host_key_policy: "strict", ssh_known_hosts_file: known }));
    assert.equal(code, 4, output);
    assert.match(
      report.hosts.lab1?.error ?? "",
      new RegExp(`^bastion \\(${escaped(JUMP1)}:22\\): jump host for lab1: host key ssh-ed25519 SHA256:\\S+ is not in ${known}, `),
    );
  });

  it("a chain of two jump hosts (lab2, then lab3): deploy and verify", async () => {
    // Only lab2 may reach lab3 and only lab3 may reach lab1 now: a green deploy walked the whole chain in order.
    const r = await lab.exec("lab3", `printf 'AllowUsers root@${address(JUMP1)}\\n' > ${ONLY_FROM} && systemctl reload ssh`);
    assert.equal(r.code, 0, r.stderr);
    await onTarget(`printf 'AllowUsers root@${address(JUMP2)}\\n' > ${ONLY_FROM} && systemctl reload ssh`);
    await assert.rejects(onTarget("true"), /authentication failed/, "lab2 alone no longer reaches lab1");
    const { code, report, output } = await deploy(await inventory("chain", { ssh_proxy_jump: "bastion,bastion2" }));
    assert.equal(code, 0, output);
    assertVerified(report, output);
  });
});
