// Preflight checks that stop a play before any change, on a converged lab host, each with one line naming the
// variable or the fix: an existing Keystone admin with another password (changed only when
// keystone_admin_password_reset asks), a management_address that is not the host's, a `controller` that leads
// elsewhere, and MariaDB stopped told apart from MariaDB listening elsewhere.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { changedTasks, deploy, failures, sh, skip, until, variant, useConvergedLab } from "./kit.js";

const HOST = "lab1";
const lab = useConvergedLab();

// What a refused play must have left alone: the bound services' configs, the admin's environment file.
const touched = () => sh(lab(), HOST, "sha256sum /etc/mysql/mariadb.conf.d/99-openstack.cnf /etc/memcached.conf /root/admin-openrc /etc/keystone/keystone.conf");
const active = () => sh(lab(), HOST, "systemctl is-active mariadb memcached keystone glance-api");
// The admin's credentials as /root/admin-openrc holds them, tried against Keystone on the host itself.
const adminLogin = async () => (await lab().exec(HOST, ". /root/admin-openrc && openstack token issue -f value -c id >/dev/null")).code === 0;
const keystoneUp = () => until("keystone answers", async () => (await lab().exec(HOST, `python3 -c "import urllib.request; urllib.request.urlopen('http://controller:5000/v3', timeout=3)"`)).code === 0, 120_000);

describe("preflight checks on a converged host", { skip, timeout: 20 * 60_000 }, () => {
  it("an existing admin with another password: refused before any change, naming the variables", async () => {
    const wrong = join(lab().paths.state, "wrong-admin-password");
    writeFileSync(wrong, "Not-The-Admin-Password-9\n", { mode: 0o600 });
    const before = await touched();
    const r = await deploy(variant(lab(), "admin-wrong", { keystone_admin_password: `{ file: ${wrong} }` }), "site");
    assert.equal(r.code, 2, failures(r.report));
    assert.match(r.report.hosts[HOST]!.error ?? "", /^preflight failed: Keystone's admin user admin exists and does not accept keystone_admin_password: set keystone_admin_password to the admin's current password, or set keystone_admin_password_reset: true to change it to the inventory's$/);
    assert.deepEqual(changedTasks(r.report), []);
    assert.equal(await touched(), before);
    assert.ok(await adminLogin(), "the real admin password still works");

    // Asked for: changed, and the report says so; admin-openrc follows.
    const reset = variant(lab(), "admin-reset", { keystone_admin_password: `{ file: ${wrong} }`, keystone_admin_password_reset: "true" });
    const changed = await deploy(reset, "keystone");
    assert.equal(changed.code, 0, failures(changed.report));
    const task = changed.report.tasks.find((t) => t.name.startsWith("Keystone bootstrap"));
    assert.equal(task?.status, "changed");
    assert.match(task!.summary ?? "", /^change the password of Keystone's admin admin to keystone_admin_password \(keystone_admin_password_reset\)/);
    assert.ok(changedTasks(changed.report).includes("admin-openrc"));
    assert.ok(await adminLogin(), "the new password works");
    assert.deepEqual(changedTasks((await deploy(reset, "keystone")).report), [], "a second run with the flag still set changes nothing");

    // Back to the lab's own password, the same way; then the lab's inventory finds nothing to do.
    const back = await deploy(variant(lab(), "admin-back", { keystone_admin_password_reset: "true" }), "keystone");
    assert.equal(back.code, 0, failures(back.report));
    assert.deepEqual(changedTasks((await deploy(lab().inventory, "keystone")).report), []);
  });

  it("management_address that is not the host's: refused before any change, listing its addresses", async () => {
    const address = lab().state.hosts[0]!.address;
    const other = address.replace(/\.\d+$/, ".99");
    const before = await touched();
    const inventory = variant(lab(), "mgmt-other", {}, (t) => t.replace("management_address: controller", `management_address: ${other}`));
    const r = await deploy(inventory, "site");
    assert.equal(r.code, 2, failures(r.report));
    const error = r.report.hosts[HOST]!.error ?? "";
    assert.ok(error.startsWith(`preflight failed: management_address ${other} is not an address of ${HOST}; its addresses: `), error);
    assert.ok(error.includes(address) && error.endsWith(": set management_address to one of them"), error);
    assert.deepEqual(r.report.tasks.filter((t) => !t.name.startsWith("preflight: ")), [], "no task ran");
    assert.equal(await touched(), before);
    assert.equal((await active()).trim(), "active\nactive\nactive\nactive");
  });

  it("`controller` leading elsewhere on the host that serves: refused before any change", async () => {
    const address = lab().state.hosts[0]!.address;
    const other = address.replace(/\.\d+$/, ".99");
    const before = await touched();
    await sh(lab(), HOST, `cp /etc/hosts /etc/hosts.gd-test && sed -i 's/ controller$//' /etc/hosts && echo '${other} controller' >> /etc/hosts`);
    try {
      const inventory = variant(lab(), "controller-elsewhere", {}, (t) => t.replace("management_address: controller", `management_address: ${address}`));
      const r = await deploy(inventory, "site");
      assert.equal(r.code, 2, failures(r.report));
      assert.equal(r.report.hosts[HOST]!.error, `preflight failed: \`controller\` resolves to ${other} on ${HOST}, but ${HOST} serves at management_address ${address}: make \`controller\` resolve to ${address} (/etc/hosts or DNS)`);
      assert.deepEqual(r.report.tasks.filter((t) => !t.name.startsWith("preflight: ")), []);
    } finally {
      await sh(lab(), HOST, "mv /etc/hosts.gd-test /etc/hosts");
    }
    assert.equal(await touched(), before);
  });

  it("MariaDB stopped: says so, not bind-address; MariaDB listening elsewhere: says bind-address", async () => {
    await sh(lab(), HOST, "systemctl stop mariadb");
    try {
      const r = await deploy(lab().inventory, "glance");
      assert.equal(r.code, 2, failures(r.report));
      const error = r.report.hosts[HOST]!.error ?? "";
      assert.match(error, /^preflight failed: MariaDB is not reachable at controller:3306 from lab1 \(.*Connection refused\): MariaDB is not running on lab1 \(mariadb is inactive\): start it \(systemctl start mariadb\) or run --playbook mariadb$/);
      assert.doesNotMatch(error, /bind-address/);
      assert.deepEqual(changedTasks(r.report), []);
    } finally {
      await sh(lab(), HOST, "systemctl start mariadb");
      await keystoneUp();
    }
    const elsewhere = await deploy(variant(lab(), "db-loopback", { glance_db_host: "127.0.0.1" }), "glance");
    assert.equal(elsewhere.code, 2);
    assert.match(elsewhere.report.hosts[HOST]!.error ?? "", /: MariaDB runs on lab1 but not where glance connects: make MariaDB listen on controller \(bind-address; the mariadb playbook does it\) and `127\.0\.0\.1` resolve to it$/);
    // Healthy again: the lab's inventory converges with nothing to do.
    const r = await deploy(lab().inventory, "glance");
    assert.equal(r.code, 0, failures(r.report));
    assert.deepEqual(changedTasks(r.report), []);
  });
});
