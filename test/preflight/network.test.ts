// management_address must be an address of the host (MariaDB and memcached are bound to it), and on the host
// the others reach as `controller` (the database host) that name must lead to it: read before any change.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { playbooks } from "../../playbooks/index.js";
import { runPlay } from "../../src/apply/play.js";
import { parseAddresses } from "../../src/facts/network.js";
import { managementAddress } from "../../src/preflight/network.js";
import { ScriptedHost } from "../helpers/scriptedHost.js";
import { hostVars } from "../tasks/runTask.js";

const IP_ADDR = [
  "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever",
  "1: lo    inet6 ::1/128 scope host noprefixroute \\       valid_lft forever preferred_lft forever",
  "2: host0    inet 10.77.0.11/24 brd 10.77.0.255 scope global host0\\       valid_lft forever preferred_lft forever",
  "2: host0    inet6 FE80::1C2B:3FF:FE4D:5E6F/64 scope link \\       valid_lft forever preferred_lft forever",
].join("\n");

describe("parseAddresses", () => {
  const cases: [string, string, string[]][] = [
    ["ip -o addr", IP_ADDR, ["127.0.0.1", "::1", "10.77.0.11", "fe80::1c2b:3ff:fe4d:5e6f"]],
    ["hostname -I", "10.77.0.11 192.0.2.5 \n", ["10.77.0.11", "192.0.2.5"]],
    ["IPv4-mapped IPv6 is the IPv4 address", "::ffff:10.77.0.11\n", ["10.77.0.11"]],
  ];
  for (const [title, out, want] of cases) it(title, () => assert.deepEqual(parseAddresses(out), want));
});

// A host with these interfaces and this resolver (name → addresses; absent: does not resolve).
function host(resolve: Record<string, string[]>, ip: string | null): ScriptedHost {
  return new ScriptedHost("lab1", [
    [/^ip -o addr show 2>\/dev\/null \|\| hostname -I$/, () => (ip === null ? { code: 127 } : ip)],
    [/^timeout 5 getent ahosts '?([^']+)'?$/, (m) => {
      const found = resolve[m[1]!] ?? (/^[\d.]+$/.test(m[1]!) ? [m[1]!] : undefined);
      return found ? found.map((a) => `${a}      STREAM ${m[1]}\n${a}      DGRAM\n`).join("") : { code: 2 };
    }],
  ]);
}

describe("preflight: management_address", () => {
  const cases: { title: string; vars: Record<string, unknown>; resolve: Record<string, string[]>; ip?: null; error?: RegExp }[] = [
    { title: "the host's own address, controller leads to it: ok", vars: { management_address: "10.77.0.11" }, resolve: { controller: ["10.77.0.11"] } },
    { title: "the name `controller` as management_address (a clone's services bound to it): ok", vars: { management_address: "controller" }, resolve: { controller: ["10.77.0.11"] } },
    { title: "an address of another host: refused, listing the host's own", vars: { management_address: "10.77.0.99" }, resolve: { controller: ["10.77.0.11"] }, error: /^management_address 10\.77\.0\.99 is not an address of lab1; its addresses: 10\.77\.0\.11, fe80::1c2b:3ff:fe4d:5e6f: set management_address to one of them$/ },
    { title: "a name that leads elsewhere: refused, saying where it leads", vars: { management_address: "ctl-old" }, resolve: { "ctl-old": ["10.77.0.50"], controller: ["10.77.0.11"] }, error: /^management_address ctl-old \(resolves to 10\.77\.0\.50\) is not an address of lab1/ },
    { title: "a name that does not resolve: refused", vars: { management_address: "nowhere" }, resolve: { controller: ["10.77.0.11"] }, error: /^management_address nowhere does not resolve on lab1: set management_address to one of its addresses \(10\.77\.0\.11, fe80/ },
    { title: "the database host whose `controller` leads elsewhere: refused", vars: { management_address: "10.77.0.11", database_host: "lab1" }, resolve: { controller: ["10.77.0.12"] }, error: /^`controller` resolves to 10\.77\.0\.12 on lab1, but lab1 serves at management_address 10\.77\.0\.11: make `controller` resolve to 10\.77\.0\.11 \(\/etc\/hosts or DNS\)$/ },
    { title: "another controller reaches the first as `controller`: ok", vars: { management_address: "10.77.0.11", database_host: "lab0" }, resolve: { controller: ["10.77.0.12"] } },
    { title: "no way to list addresses: refused, naming iproute2", vars: { management_address: "10.77.0.11" }, resolve: {}, ip: null, error: /install iproute2/ },
  ];
  for (const c of cases) {
    it(c.title, async () => {
      const h = host(c.resolve, c.ip === null ? null : IP_ADDR);
      let ran = false;
      const report = await runPlay({
        playbook: { name: "test", group: "controller", preflight: [managementAddress], tasks: [{ name: "change", tags: [], check: async () => ((ran = true), { change: false }) }] },
        hosts: [{ name: "lab1", groups: ["controller"], vars: hostVars(c.vars) }],
        connect: async () => h,
      });
      const failed = report.tasks.filter((t) => t.status === "failed");
      if (!c.error) return assert.deepEqual(failed, []), assert.ok(ran);
      assert.equal(failed.length, 1, JSON.stringify(report.tasks));
      assert.match(failed[0]!.error ?? "", c.error);
      assert.equal(ran, false, "no task runs after a failed preflight");
      assert.equal(h.calls.length, 1, "everything read in the one probe");
    });
  }

  it("every deploy playbook checks it; verify does not bind anything", () => {
    for (const [name, p] of Object.entries(playbooks)) assert.equal(p.preflight?.includes(managementAddress) ?? false, name !== "verify", name);
  });
});
