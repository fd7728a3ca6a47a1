// Connecting the way `ssh` would: an ~/.ssh/config alias as the inventory address (HostName, Port, User,
// IdentityFile, ProxyJump from the config, inventory values winning), and OpenSSH's default identities.
import assert from "node:assert/strict";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AuthError } from "../../src/errors.js";
import { sshTargetFor } from "../../src/inventory/target.js";
import { applyDefaults } from "../../src/inventory/vars.js";
import { SshTransport } from "../../src/transport/ssh.js";
import type { SshTarget } from "../../src/transport/types.js";
import { startSshd, type TestSshd } from "../helpers/sshd.js";
import { targetFor } from "./targets.js";

let target: TestSshd;
let jump: TestSshd;
let config: string;
const saved = { HOME: process.env.HOME, SSH_AUTH_SOCK: process.env.SSH_AUTH_SOCK };

before(async () => {
  delete process.env.SSH_AUTH_SOCK;
  target = await startSshd({ logLevel: "VERBOSE" });
  jump = await startSshd({ logLevel: "VERBOSE" });
  await jump.authorize(target.userKeyPath + ".pub");
  config = join(target.dir, "ssh_config");
  await writeFile(
    config,
    [
      "Host web",
      "  HostName 127.0.0.1",
      `  Port ${target.port}`,
      "  User root",
      `  IdentityFile ${target.userKeyPath}`,
      "Host behind",
      "  HostName 127.0.0.1",
      `  Port ${target.port}`,
      `  IdentityFile ${target.userKeyPath}`,
      "  ProxyJump bastion",
      "Host bastion",
      "  HostName 127.0.0.1",
      `  Port ${jump.port}`,
      "Host wrongport",
      "  HostName 127.0.0.1",
      "  Port 1",
      "",
    ].join("\n"),
  );
});

after(async () => {
  await target?.stop();
  await jump?.stop();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

// A target that leaves port, user and key to the ssh config.
function aliasTarget(address: string, overrides: Partial<SshTarget> = {}): SshTarget {
  const { port: _port, user: _user, privateKeyPath: _key, ...rest } = targetFor(target, { address, sshConfig: { file: config } });
  return { ...rest, ...overrides };
}

async function run(t: SshTarget, command = "echo ok"): Promise<string> {
  const transport = await SshTransport.connect(t);
  try {
    return (await transport.exec(command)).stdout;
  } finally {
    await transport.close();
  }
}

describe("an ssh config alias as the address", () => {
  it("takes HostName, Port, User and IdentityFile from the config", async () => {
    assert.equal(await run(aliasTarget("web"), "id -un"), "root\n");
  });

  it("takes ProxyJump from the config, the jump host an alias itself", async () => {
    const before = jump.log().split("Accepted publickey").length;
    assert.equal(await run(aliasTarget("behind")), "ok\n");
    assert.equal(jump.log().split("Accepted publickey").length, before + 1);
  });

  it("inventory values win: port and key given in the inventory beat the config's", async () => {
    await assert.rejects(run(aliasTarget("wrongport", { privateKeyPath: target.userKeyPath })), /^UnreachableError: lab1 \(127\.0\.0\.1:1\): connection refused$/);
    assert.equal(await run(aliasTarget("wrongport", { port: target.port, privateKeyPath: target.userKeyPath })), "ok\n");
    await assert.rejects(run(aliasTarget("web", { privateKeyPath: target.strangerKeyPath })), AuthError);
  });

  it("from the inventory: ansible_ssh_common_args -F and an alias as ansible_host", async () => {
    const host = {
      name: "controller1",
      groups: ["controller"],
      vars: applyDefaults("controller1", {
        ansible_host: "behind",
        ansible_ssh_common_args: `-o StrictHostKeyChecking=no -F ${config}`,
        ssh_known_hosts_file: join(target.dir, "known_hosts.inventory"),
      }),
    };
    assert.equal(await run(sshTargetFor(host), "echo via inventory"), "via inventory\n");
  });
});

describe("OpenSSH's default identities", () => {
  let home: string;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), "glance-home-"));
    process.env.HOME = home;
  });
  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it("without key file or agent, says so naming ansible_ssh_private_key_file", async () => {
    await assert.rejects(run(targetFor(target, { privateKeyPath: undefined })), (error: unknown) => {
      assert.ok(error instanceof AuthError);
      assert.equal(
        error.message,
        `lab1 (127.0.0.1:${target.port}): cannot authenticate as root: no private key (set ansible_ssh_private_key_file, or ` +
          "IdentityFile in ~/.ssh/config), no ssh-agent (SSH_AUTH_SOCK) and none of ~/.ssh/id_ed25519, ~/.ssh/id_ecdsa, ~/.ssh/id_rsa is usable",
      );
      return true;
    });
  });

  it("tries ~/.ssh/id_ed25519, id_ecdsa and id_rsa, skipping the missing and naming the unusable", async () => {
    await mkdir(join(home, ".ssh"), { mode: 0o700 });
    await writeFile(join(home, ".ssh", "id_ecdsa"), "not a key\n", { mode: 0o600 });
    await copyFile(target.userKeyPath, join(home, ".ssh", "id_rsa"));
    assert.equal(await run(targetFor(target, { privateKeyPath: undefined })), "ok\n");
    await copyFile(target.strangerKeyPath, join(home, ".ssh", "id_rsa"));
    await assert.rejects(run(targetFor(target, { privateKeyPath: undefined })), {
      name: "AuthError",
      message: new RegExp(`authentication failed for user root \\(tried: key ${home}/\\.ssh/id_ecdsa \\(unusable: .+\\), key ${home}/\\.ssh/id_rsa\\)$`),
    });
  });

  it("are not tried when a key file is given", async () => {
    await copyFile(target.userKeyPath, join(home, ".ssh", "id_ed25519"));
    await assert.rejects(run(targetFor(target, { privateKeyPath: target.strangerKeyPath })), {
      message: `lab1 (127.0.0.1:${target.port}): authentication failed for user root (tried: key ${target.strangerKeyPath})`,
    });
    assert.equal(await run(targetFor(target, { privateKeyPath: undefined })), "ok\n");
  });
});
