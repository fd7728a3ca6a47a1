// Inventory connection variables → what the transport is told; unset values stay unset for the ssh config.
import assert from "node:assert/strict";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";
import { sshTargetFor } from "../../src/inventory/target.js";
import { applyDefaults, varsBlockSchema } from "../../src/inventory/vars.js";
import type { SshTarget } from "../../src/transport/types.js";

const knownHosts = join(homedir(), ".ssh", "known_hosts");
const base = { name: "c1", address: "c1", become: false, hostKeyPolicy: "accept-new", knownHostsFiles: [knownHosts], connectTimeoutMs: 10_000, sshConfig: {} };

const cases: [string, Record<string, unknown>, Partial<SshTarget>][] = [
  ["nothing set: port, user, key and jump hosts left to the ssh config", {}, {}],
  [
    "every value given",
    { ansible_host: "10.0.0.5", ansible_port: 2222, ansible_user: "deployer", ansible_become: true, ansible_ssh_private_key_file: "~/.ssh/deploy" },
    { address: "10.0.0.5", port: 2222, user: "deployer", become: true, privateKeyPath: join(homedir(), ".ssh/deploy") },
  ],
  ["ssh_proxy_jump", { ssh_proxy_jump: "ops@bastion:2200,gw2" }, { proxyJump: "ops@bastion:2200,gw2" }],
  ["Ansible's common args", { ansible_ssh_common_args: "-o ProxyJump=ops@bastion -F ./ssh_config" }, { proxyJump: "ops@bastion", sshConfig: { file: "./ssh_config" } }],
  ["ssh_proxy_jump wins over the common args", { ssh_proxy_jump: "none", ansible_ssh_common_args: "-J ops@bastion" }, { proxyJump: "none" }],
  [
    "the project known_hosts file first",
    { ssh_known_hosts_file: "./known_hosts", ssh_host_key_policy: "strict", ssh_connect_timeout: 3 },
    { knownHostsFiles: [resolve("known_hosts"), knownHosts], hostKeyPolicy: "strict", connectTimeoutMs: 3000 },
  ],
];

describe("inventory → SSH target", () => {
  for (const [name, vars, expected] of cases) {
    it(name, () => {
      assert.deepEqual(sshTargetFor({ name: "c1", groups: ["controller"], vars: applyDefaults("c1", vars) }), { ...base, ...expected });
    });
  }
});

const invalid: [Record<string, unknown>, RegExp][] = [
  [{ ssh_proxy_jump: "bastion:99999" }, /ProxyJump "bastion:99999": "99999" is not a port/],
  [{ ssh_proxy_jump: "a,,b" }, /an empty jump host/],
  [{ ansible_ssh_common_args: "-o ProxyCommand='ssh -W %h:%p gw'" }, /ProxyCommand is not supported/],
  [{ ansible_ssh_common_args: "-o 'ProxyJump=a" }, /cannot split into words/],
];

describe("connection variables are checked when the inventory loads", () => {
  for (const [vars, problem] of invalid) {
    it(`${JSON.stringify(vars)}: ${problem.source}`, () => {
      const parsed = varsBlockSchema.safeParse(vars);
      assert.equal(parsed.success, false);
      assert.match(parsed.error!.issues[0]!.message, problem);
    });
  }
});
