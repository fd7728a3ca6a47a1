import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { aptPackages } from "../../src/tasks/aptPackages.js";
import { ScriptedHost, type Rule } from "../helpers/scriptedHost.js";
import { runTask } from "./runTask.js";

// dpkg's view of the host: package → "<status> <version>" as ${db:Status-Abbrev} ${Version} print it.
type Dpkg = Map<string, string>;

// dpkg-query and apt-get as the host answers them; apt-get install marks packages installed.
function aptHost(dpkg: Dpkg, installExit = 0): ScriptedHost {
  const rules: Rule[] = [
    [/^dpkg-query -W -f='\$\{Package\} \$\{db:Status-Abbrev\} \$\{Version\}\\n' (.+)$/, (m) => {
      const names = m[1]!.split(" ");
      const known = names.filter((n) => dpkg.has(n));
      const stdout = known.map((n) => `${n} ${dpkg.get(n)}\n`).join("");
      return { stdout, code: known.length === names.length ? 0 : 1 };
    }],
    [/apt-get .*? install -y .*? -o Dpkg::Options::=--force-confold ([^;]+);/, (m) => {
      if (installExit !== 0) return { code: installExit, stderr: "E: Unable to locate package python3-glanceclient" };
      for (const n of m[1]!.split(" ")) dpkg.set(n, "ii  1.0-1");
      return "Setting up\n";
    }],
  ];
  return new ScriptedHost("h1", rules);
}

const task = () => aptPackages({ name: "Glance packages", tags: ["packages"], packages: ["glance", "python3-glanceclient"] });

const cases: {
  title: string;
  dpkg: [string, string][];
  check?: boolean;
  vars?: Record<string, unknown>;
  installExit?: number;
  status: string;
  summary?: RegExp;
  error?: RegExp;
  installs?: string;
  lockTimeout?: number;
}[] = [
  { title: "all installed: ok, no apt-get", dpkg: [["glance", "ii  2:25.0.0-5"], ["python3-glanceclient", "ii  1:4.1.0-1"]], status: "ok" },
  { title: "none known to dpkg: both installed in one run", dpkg: [], status: "changed", summary: /^install glance python3-glanceclient$/, installs: "glance python3-glanceclient", lockTimeout: 300 },
  { title: "one missing: only it is installed", dpkg: [["glance", "ii  2:25.0.0-5"]], status: "changed", summary: /^install python3-glanceclient$/, installs: "python3-glanceclient", lockTimeout: 300 },
  { title: "removed but config kept (rc) counts as missing", dpkg: [["glance", "rc  2:25.0.0-5"], ["python3-glanceclient", "ii  1:4.1.0-1"]], status: "changed", summary: /^install glance$/, installs: "glance", lockTimeout: 300 },
  { title: "half-installed (iU) counts as missing", dpkg: [["glance", "iU  2:25.0.0-5"], ["python3-glanceclient", "ii  1:4.1.0-1"]], status: "changed", installs: "glance", lockTimeout: 300 },
  { title: "apt_lock_timeout reaches the dpkg lock option", dpkg: [], vars: { apt_lock_timeout: 42 }, status: "changed", installs: "glance python3-glanceclient", lockTimeout: 42 },
  { title: "check mode: would install, runs nothing", dpkg: [["glance", "ii  2:25.0.0-5"]], check: true, status: "changed", summary: /^install python3-glanceclient$/ },
  { title: "apt-get failure fails the task with its stderr", dpkg: [], installExit: 100, status: "failed", error: /apt-get install glance python3-glanceclient exited 100: E: Unable to locate package/, installs: "glance python3-glanceclient", lockTimeout: 300 },
];

describe("aptPackages: dpkg state in, apt-get out", () => {
  for (const c of cases) {
    it(c.title, async () => {
      const dpkg: Dpkg = new Map(c.dpkg);
      const h = aptHost(dpkg, c.installExit);
      const result = await runTask(h, task(), { check: c.check ?? false, vars: c.vars ?? {} });
      assert.equal(result.status, c.status, JSON.stringify(result));
      if (c.summary) assert.match(result.summary ?? "", c.summary);
      if (c.error) assert.match(result.error ?? "", c.error);
      const apt = h.commands().filter((cmd) => cmd.includes("apt-get"));
      if (!c.installs) {
        assert.deepEqual(apt, []);
        return;
      }
      assert.equal(apt.length, 1, apt.join("\n"));
      const line = apt[0]!;
      assert.match(line, /(^|&& )export DEBIAN_FRONTEND=noninteractive/);
      // Both branches install the same list: under the operator's own policy-rc.d, or under ours, which refuses
      // every service start and is removed when apt-get ends, whatever its exit.
      assert.equal(line.split(`--force-confold ${c.installs};`).length - 1, 2, line);
      assert.ok(line.endsWith(`--force-confold ${c.installs}; fi`), line);
      assert.match(line, /if \[ -e \/usr\/sbin\/policy-rc\.d \]; then apt-get .*; else trap 'rm -f \/usr\/sbin\/policy-rc\.d' EXIT && printf '#!\/bin\/sh\\nexit 101\\n' > \/usr\/sbin\/policy-rc\.d && chmod 0755 \/usr\/sbin\/policy-rc\.d && apt-get /);
      assert.match(line, new RegExp(`apt-get -o DPkg::Lock::Timeout=${c.lockTimeout} install -y`));
      assert.match(line, new RegExp(`apt-get -o DPkg::Lock::Timeout=${c.lockTimeout} update`));
      assert.match(line, /--force-confdef/);
      assert.match(line, /--force-confold/);
      if (c.status === "changed") {
        const again = await runTask(h, task());
        assert.equal(again.status, "ok", "a second run changes nothing");
      }
    });
  }

  it("reads both packages in the one batched probe", async () => {
    const h = aptHost(new Map([["glance", "ii  1"], ["python3-glanceclient", "ii  1"]]));
    await runTask(h, task());
    assert.equal(h.calls.length, 1);
    assert.match(h.calls[0]!.command, /dpkg-query -W .* glance python3-glanceclient/);
  });
});
