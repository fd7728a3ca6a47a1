// render places `once` files where deploy runs those tasks: two controllers, the second an API node.
import assert from "node:assert/strict";
import { it } from "node:test";
import { withDatabaseHost } from "../../src/core/deploy.js";
import { renderFiles } from "../../src/core/render.js";
import type { Inventory } from "../../src/inventory/load.js";
import { applyDefaults } from "../../src/inventory/vars.js";
import { playbooks } from "../../playbooks/index.js";

const secrets = { keystone_admin_password: "a", keystone_db_password: "b", glance_db_password: "c", glance_keystone_password: "d" };
const host = (name: string, address: string) => ({ name, groups: ["controller"], vars: applyDefaults(name, { ansible_host: address, ...secrets }) });
const inventory: Inventory = { file: "inv.yaml", hosts: [host("c1", "10.0.0.11"), host("c2", "10.0.0.12")], groups: { all: ["c1", "c2"], controller: ["c1", "c2"] }, warnings: [] };

it("site on two controllers: MariaDB and Keystone files on the first only, glance-api.conf on both", () => {
  const site = playbooks.site!;
  const files = renderFiles(site, withDatabaseHost(inventory, site, inventory.hosts));
  const paths = Object.fromEntries(files.map((f) => [f.host, f.files.map((x) => x.path).sort()]));
  assert.deepEqual(paths, {
    c1: ["/etc/glance/glance-api.conf", "/etc/keystone/mysql-client.cnf", "/etc/mysql/mariadb.conf.d/99-openstack.cnf", "/root/admin-openrc"],
    c2: ["/etc/glance/glance-api.conf"],
  });
});

it("database_host must name a host of the inventory", () => {
  const bad = { ...inventory, hosts: inventory.hosts.map((h) => ({ ...h, vars: { ...h.vars, database_host: "db9" } })) };
  assert.throws(() => withDatabaseHost(bad, playbooks.glance!, bad.hosts), /database_host: db9 is not a host of this inventory/);
});
