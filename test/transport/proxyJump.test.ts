// ProxyJump specs and ansible_ssh_common_args, parsed as OpenSSH and Ansible users write them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseProxyJump, type JumpSpec } from "../../src/transport/proxyJump.js";
import { parseSshArgs, type SshArgs } from "../../src/transport/sshArgs.js";

const jumps: [string, JumpSpec[]][] = [
  ["bastion", [{ host: "bastion" }]],
  ["admin@bastion.example.org:2222", [{ user: "admin", host: "bastion.example.org", port: 2222 }]],
  ["10.0.0.1:22", [{ host: "10.0.0.1", port: 22 }]],
  ["ops@a:2201,b,root@c:2203", [{ user: "ops", host: "a", port: 2201 }, { host: "b" }, { user: "root", host: "c", port: 2203 }]],
  [" a , b ", [{ host: "a" }, { host: "b" }]],
  ["[fe80::1]:2222", [{ host: "fe80::1", port: 2222 }]],
  ["me@[2001:db8::5]", [{ user: "me", host: "2001:db8::5" }]],
  ["ssh://deploy@jump:2022", [{ user: "deploy", host: "jump", port: 2022 }]],
  ["first.last@corp@gw", [{ user: "first.last@corp", host: "gw" }]],
  ["none", []],
  ["NONE", []],
];

const badJumps: [string, RegExp][] = [
  ["", /empty/],
  ["a,,b", /an empty jump host/],
  ["bastion:0", /"0" is not a port/],
  ["bastion:70000", /"70000" is not a port/],
  ["bastion:22x", /"22x" is not a port/],
  ["fe80::1", /write IPv6 in brackets/],
  ["[fe80::1", /unclosed \[/],
  ["[fe80::1]x", /unexpected "x" after \]/],
  ["[host]:22", /"host" is not an IPv6 address/],
  ["us er@h", /is not a user name/],
  ["@h", /"" is not a user name/],
  ["h/x", /"h\/x" is not a host name/],
  ["-oProxyCommand=x", /is not a host name/],
];

describe("ProxyJump specs", () => {
  for (const [spec, expected] of jumps) {
    it(`${JSON.stringify(spec)} → ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(parseProxyJump(spec), expected);
    });
  }
  for (const [spec, problem] of badJumps) {
    it(`${JSON.stringify(spec)} is refused: ${problem.source}`, () => {
      assert.throws(() => parseProxyJump(spec), (error: Error) => {
        assert.match(error.message, /^ProxyJump /);
        assert.match(error.message, problem);
        return true;
      });
    });
  }
});

const args: [string, SshArgs][] = [
  ["", {}],
  ["-o ProxyJump=admin@bastion:2222", { proxyJump: "admin@bastion:2222" }],
  ['-o "ProxyJump admin@bastion"', { proxyJump: "admin@bastion" }],
  ["-oProxyJump=a,b", { proxyJump: "a,b" }],
  ["-o proxyjump=a", { proxyJump: "a" }],
  ["-J a -o ProxyJump=b", { proxyJump: "a" }],
  ["-Ja:2200", { proxyJump: "a:2200" }],
  ["-F ~/.ssh/project_config", { configFile: "~/.ssh/project_config" }],
  ["-F './my config'", { configFile: "./my config" }],
  // What Ansible inventories usually carry, and which means nothing here.
  ["-o StrictHostKeyChecking=no -o ControlMaster=auto -o ControlPersist=60s -C -q", {}],
  ["-vC -o ProxyJump=gw", { proxyJump: "gw" }],
  ["-Co ProxyJump=gw", { proxyJump: "gw" }],
  ["-i ~/.ssh/other -l bob -p 2222 -J gw", { proxyJump: "gw" }],
  ["-o ProxyCommand=none -J gw", { proxyJump: "gw" }],
];

const badArgs: [string, RegExp][] = [
  ['-o "ProxyJump=a', /cannot split into words/],
  ["-o ProxyCommand='ssh -W %h:%p bastion'", /ProxyCommand is not supported.*ProxyJump=user@host:port/],
  ["-o ProxyJump=a:x", /"x" is not a port/],
  ["-J", /-J needs a value/],
  ["host.example.org", /is not an ssh option/],
  ["-o", /-o needs a value/],
  ["-o =x", /is not Key=Value/],
];

describe("ansible_ssh_common_args", () => {
  for (const [text, expected] of args) {
    it(`${JSON.stringify(text)} → ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(parseSshArgs(text), expected);
    });
  }
  for (const [text, problem] of badArgs) {
    it(`${JSON.stringify(text)} is refused: ${problem.source}`, () => {
      assert.throws(() => parseSshArgs(text), problem);
    });
  }
});
