// A refused MariaDB connection has two causes with different fixes: the service is stopped (or not installed),
// or it runs but listens elsewhere (bind-address). The database host reads its own unit and says which.
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { runPlay } from "../../src/apply/play.js";
import { mariadbReachable } from "../../src/preflight/services.js";
import { TunnelError } from "../../src/transport/errors.js";
import { ScriptedHost } from "../helpers/scriptedHost.js";
import { hostVars } from "../tasks/runTask.js";

// A MariaDB handshake's first bytes: 3-byte length, sequence 0, protocol version 10.
const HANDSHAKE = Buffer.from([0x4a, 0, 0, 0, 0x0a, 0x31, 0x30, 0x2e]);

function host(name: string, unit: { active: string; load: string }, listening: boolean): ScriptedHost {
  const h = new ScriptedHost(name, [[/^systemctl show -p ActiveState -p LoadState '?mariadb'?$/, () => `ActiveState=${unit.active}\nLoadState=${unit.load}\n`]]);
  h.forwardTo = async (to, port) => {
    if (!listening) throw new TunnelError(name, `${to}:${port}`, "Connection refused");
    const stream = new PassThrough();
    setImmediate(() => stream.write(HANDSHAKE));
    return stream;
  };
  return h;
}

describe("preflight: MariaDB reachable, and why not", () => {
  const refused = "MariaDB is not reachable at controller:3306 from lab1 (lab1: cannot open tunnel to controller:3306: Connection refused): ";
  const cases: { title: string; on: string; unit: { active: string; load: string }; listening: boolean; error?: string }[] = [
    { title: "answers: ok", on: "lab1", unit: { active: "active", load: "loaded" }, listening: true },
    { title: "stopped on the database host: says it is not running", on: "lab1", unit: { active: "inactive", load: "loaded" }, listening: false, error: `${refused}MariaDB is not running on lab1 (mariadb is inactive): start it (systemctl start mariadb) or run --playbook mariadb` },
    { title: "crashed on the database host: says so", on: "lab1", unit: { active: "failed", load: "loaded" }, listening: false, error: `${refused}MariaDB is not running on lab1 (mariadb is failed): start it (systemctl start mariadb) or run --playbook mariadb` },
    { title: "not installed on the database host", on: "lab1", unit: { active: "inactive", load: "not-found" }, listening: false, error: `${refused}MariaDB is not installed on lab1 (the database host): run --playbook mariadb` },
    { title: "running but listening elsewhere: bind-address", on: "lab1", unit: { active: "active", load: "loaded" }, listening: false, error: `${refused}MariaDB runs on lab1 but not where glance connects: make MariaDB listen on 10.0.0.11 (bind-address; the mariadb playbook does it) and \`controller\` resolve to it` },
    { title: "seen from another host: both causes, where to look", on: "lab0", unit: { active: "active", load: "loaded" }, listening: false, error: `${refused}on lab0, MariaDB is stopped or listens elsewhere: check \`systemctl is-active mariadb\` there, then make MariaDB listen on 10.0.0.11 (bind-address; the mariadb playbook does it) and \`controller\` resolve to it` },
  ];
  for (const c of cases) {
    it(c.title, async () => {
      const h = host("lab1", c.unit, c.listening);
      const report = await runPlay({
        playbook: { name: "test", group: "controller", preflight: [mariadbReachable], tasks: [] },
        hosts: [{ name: "lab1", groups: ["controller"], vars: hostVars({ database_host: c.on }) }],
        connect: async () => h,
      });
      const failed = report.tasks.filter((t) => t.status === "failed");
      if (!c.error) return assert.deepEqual(failed, []);
      assert.equal(failed[0]?.error, c.error);
      assert.equal(report.hosts.lab1!.error, `preflight failed: ${c.error}`);
    });
  }
});
