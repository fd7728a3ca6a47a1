// The classifier the check-mode e2e test relies on: it must catch the writes the tool makes outside check mode
// and pass every probe the playbooks read with.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hostLockScript } from "../../src/apply/hostLock.js";
import { applyDefaults } from "../../src/inventory/vars.js";
import { tasksOf } from "../../src/plan/types.js";
import { playbooks } from "../../playbooks/index.js";
import { writesOf } from "../helpers/recording.js";

const exec = (text: string, stdin?: string) => writesOf({ host: "h", kind: "exec", text, ...(stdin ? { stdin } : {}) });

describe("check-mode write detector", () => {
  it("flags what a deploy writes", () => {
    assert.ok(writesOf({ host: "h", kind: "hold", text: hostLockScript(300, undefined, false) }).length > 0, "the writing lock");
    assert.ok(exec("install -d -m 0700 /var/lib/glance-deploy").length > 0);
    assert.ok(exec("export DEBIAN_FRONTEND=noninteractive && apt-get -o X=1 install -y glance").length > 0);
    assert.ok(exec("mysql --batch", "CREATE DATABASE IF NOT EXISTS `glance`;").length > 0);
    assert.ok(exec("systemctl restart 'glance-api'").length > 0);
    assert.ok(exec(`su -s /bin/sh -c "glance-manage db_sync" glance`).length > 0);
    assert.ok(exec("echo x > /etc/hosts").length > 0);
    assert.ok(writesOf({ host: "h", kind: "write", text: "/etc/glance/glance-api.conf" }).length > 0);
  });

  it("passes the read-only lock and every fact probe of the site playbook", () => {
    assert.deepEqual(writesOf({ host: "h", kind: "hold", text: hostLockScript(300, { script: "true", done: "@@x:done" }, true) }), []);
    const vars = applyDefaults("h1", { ansible_host: "192.0.2.10", keystone_admin_password: "a" });
    const site = playbooks.site!;
    const specs = [...(site.preflight ?? []), ...tasksOf(site)].flatMap((x) => x.facts?.(vars) ?? []);
    assert.ok(specs.length > 10);
    for (const spec of specs) assert.deepEqual(exec(spec.command, spec.stdin), [], spec.command);
  });
});
