// Snapshots for real: a host with MariaDB and data is powered off cleanly, its disk kept, and two fresh
// clones boot from it, each its own `controller`, with its own address and host key; the snapshot keeps its release.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { before, describe, it } from "node:test";
import { parse } from "yaml";
import { UsageError } from "../../src/errors.js";
import { labDeleteSnapshot, labDown, labExec, labSnapshot, labSnapshots, labUp, type LabState } from "../../src/lab/index.js";
import { useTempLab } from "../helpers/tempLab.js";

const notRoot = process.getuid?.() !== 0;
const skip = notRoot ? "lab e2e tests need root (containers, mounts, bridge): run the suite with sudo" : false;
const TIMEOUT = 15 * 60_000;

useTempLab("glance-deploy-lab-snap-e2e-");

async function sh(host: string, command: string): Promise<string> {
  const r = await labExec(host, command);
  assert.equal(r.code, 0, `${host}: ${command} exited ${r.code}\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

describe("lab e2e: snapshots", { skip, timeout: TIMEOUT }, () => {
  let clones: LabState;

  before(async () => {
    await labUp({ hosts: 1 });
    await sh("lab1", "apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q mariadb-server");
    await sh("lab1", `mysql -e "CREATE DATABASE snap; CREATE TABLE snap.t (v VARCHAR(20)); INSERT INTO snap.t VALUES ('kept')"`);
    const meta = await labSnapshot("lab1", "mariadb");
    assert.equal(meta.takenFrom, "lab1");
    assert.equal(meta.release, "trixie", "the snapshot records the lab's (default) release");
    clones = await labUp({ hosts: 2, from: "mariadb" });
  }, { timeout: TIMEOUT });

  it("stopped MariaDB cleanly before keeping the disk", async () => {
    const journal = await sh("lab1", "journalctl -m --no-pager -o cat");
    assert.match(journal, /mariadbd.*Normal shutdown|Shutdown complete/);
    assert.doesNotMatch(await sh("lab1", "journalctl -b --no-pager -o cat -u mariadb"), /crash recovery/i);
  });

  it("boots every clone with the data, MariaDB running, and the system running or degraded", async () => {
    for (const h of clones.hosts) {
      // Seen once on a clean CI rehearsal (a loaded machine): no MariaDB socket on a clone just after boot, cause
      // unknown. MariaDB gets up to 60 s to answer; if it never does, the failure carries its unit's journal.
      const up = await labExec(h.name, "for i in $(seq 120); do mysqladmin ping >/dev/null 2>&1 && exit 0; sleep 0.5; done; exit 1");
      if (up.code !== 0) {
        const why = await labExec(h.name, "systemctl status mariadb --no-pager; journalctl -b --no-pager -o short-precise -u mariadb | tail -40; systemctl list-jobs; systemctl --failed --no-pager");
        assert.fail(`${h.name}: MariaDB does not answer after boot\n${why.stdout}${why.stderr}`);
      }
      assert.equal((await sh(h.name, "mysql -N -e 'SELECT v FROM snap.t'")).trim(), "kept");
      assert.equal((await sh(h.name, "systemctl is-active mariadb")).trim(), "active");
      assert.match((await labExec(h.name, "systemctl is-system-running")).stdout, /^(running|degraded)/);
    }
  });

  it("gives each clone its own name, address, host key and `controller`", async () => {
    const keys = new Set<string>();
    for (const h of clones.hosts) {
      assert.equal((await sh(h.name, "hostname")).trim(), h.name);
      assert.equal((await sh(h.name, "getent hosts controller")).split(/\s+/)[0], h.address);
      keys.add(await sh(h.name, "cat /etc/ssh/ssh_host_ed25519_key.pub"));
    }
    assert.equal(keys.size, 2);
    const doc = parse(await readFile(clones.inventory, "utf8"));
    assert.deepEqual(Object.keys(doc.all.children.controller.hosts), ["lab1", "lab2"]);
  });

  it("refuses to boot the snapshot as another release, leaving the running clones alone", async () => {
    await assert.rejects(labUp({ hosts: 1, from: "mariadb", release: "bookworm" }), (e: unknown) => e instanceof UsageError && /Debian trixie lab and cannot boot as bookworm/.test(e.message));
    for (const h of clones.hosts) assert.equal((await sh(h.name, "hostname")).trim(), h.name);
  });

  it("keeps a snapshot that is in use, and deletes it once nothing builds on it", async () => {
    assert.deepEqual((await labSnapshots()).map((s) => s.name), ["mariadb"]);
    await assert.rejects(labDeleteSnapshot("mariadb"), UsageError);
    await labDown();
    await labDeleteSnapshot("mariadb");
    assert.deepEqual(await labSnapshots(), []);
  });
});
