import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyDefaults, secretVarNames, varSections, varSpecs, varsBlockSchema } from "../../src/inventory/vars.js";
import { ansibleAliases } from "../../src/inventory/vars/ansible.js";
import { SUPPORTED_RELEASES } from "../../src/inventory/vars/releases.js";
import type { VarSpec } from "../../src/inventory/vars/schemas.js";

// What applyDefaults returned for a host with no variables before the table was split into sections,
// written out by hand so a reordering that breaks a derived default shows up here.
const bare = {
  ansible_host: "h1",
  ansible_become: false,
  ssh_host_key_policy: "accept-new",
  ssh_connect_timeout: 10,
  management_address: "h1",
  controller_host: "controller",
  mysql_admin_user: "root",
  mysql_port: 3306,
  memcached_port: 11211,
  memcached_servers: "controller:11211",
  keystone_db_name: "keystone",
  keystone_db_user: "keystone",
  keystone_admin_user: "admin",
  keystone_admin_project: "admin",
  keystone_domain: "default",
  keystone_domain_name: "Default",
  keystone_region: "RegionOne",
  keystone_url: "http://controller:5000",
  keystone_service_project: "service",
  keystone_cache: true,
  keystone_admin_password_reset: false,
  glance_db_name: "glance",
  glance_db_user: "glance",
  glance_db_host: "controller",
  glance_keystone_user: "glance",
  glance_keystone_role: "admin",
  glance_service_name: "glance",
  glance_service_type: "image",
  glance_service_description: "OpenStack Image",
  glance_url: "http://controller:9292",
  glance_api_port: 9292,
  glance_filesystem_store_datadir: "/var/lib/glance/images/",
  // The multi-store form replaced glance_stores/glance_default_store (now deprecated, unset by default).
  glance_backends: [
    { id: "fs", type: "file", datadir: "/var/lib/glance/images/" },
    { id: "http", type: "http" },
  ],
  glance_default_backend: "fs",
  glance_staging_dir: "/var/lib/glance/os_glance_staging_store/",
  glance_tasks_dir: "/var/lib/glance/os_glance_tasks_store/",
  glance_paste_flavor: "keystone",
  glance_lock_path: "/var/lib/glance/tmp",
  glance_api_conf_overrides: {},
  glance_min_free_mb: 1024,
  verify_image_name: "glance-deploy-verify",
  keep_verify_image: false,
  apt_lock_timeout: 300,
  service_start_timeout: 60,
  host_lock_timeout: 300,
};

describe("applyDefaults after the split into sections", () => {
  it("a host with no variables gets exactly the former defaults", () => {
    assert.deepEqual(applyDefaults("h1", {}), bare);
  });

  it("controller_host, memcached_port and ansible_host flow into the derived defaults", () => {
    const vars = { ansible_host: "10.0.0.5", controller_host: "ctl", memcached_port: 11311 };
    assert.deepEqual(applyDefaults("ctl1", vars), {
      ...bare,
      ...vars,
      management_address: "10.0.0.5",
      memcached_servers: "ctl:11311",
      keystone_url: "http://ctl:5000",
      glance_db_host: "ctl",
      glance_url: "http://ctl:9292",
    });
  });

  it("set values win over derived defaults; the new variables stay unset unless given", () => {
    const vars = {
      controller_host: "c2",
      management_address: "10.9.9.9",
      memcached_servers: "m:1",
      keystone_url: "https://k:5000",
      glance_db_host: "db1",
      os_release: "bookworm",
      database_host: "db1",
    };
    const out = applyDefaults("x", vars);
    assert.deepEqual(out, { ...bare, ...vars, ansible_host: "x", glance_url: "http://c2:9292" });
    const plain = applyDefaults("x", {});
    assert.ok(!("os_release" in plain) && !("database_host" in plain), "no default for os_release or database_host");
  });

  it("every derived default reads only variables above it in the merged table", () => {
    const order = Object.keys(varSpecs);
    const full = applyDefaults("h1", {});
    for (const [index, name] of order.entries()) {
      const spec = varSpecs[name as keyof typeof varSpecs] as VarSpec;
      if (typeof spec.default !== "function") continue;
      const read: string[] = [];
      const probe = new Proxy(full, { get: (target, key) => (read.push(String(key)), target[key as keyof typeof target]) });
      (spec.default as (v: Record<string, unknown>) => unknown)(probe);
      for (const key of read) assert.ok(order.indexOf(key) >= 0 && order.indexOf(key) < index, `${name} reads ${key}, which is not above it`);
    }
  });
});

describe("variable sections", () => {
  it("each name is in exactly one section and varSpecs keeps the section order", () => {
    const names = varSections.flatMap((s) => Object.keys(s.specs));
    assert.equal(new Set(names).size, names.length);
    assert.deepEqual(Object.keys(varSpecs), names);
    assert.deepEqual(
      varSections.map((s) => s.name),
      ["ssh", "topology", "mariadb", "memcached", "keystone", "glance", "verify", "engine", "ansible"],
    );
  });

  it("connection variables in ssh, engine waits in engine", () => {
    const section = (name: string) => Object.keys(varSections.find((s) => s.name === name)!.specs);
    assert.ok(section("ssh").every((n) => /^(ansible|ssh)_/.test(n)));
    assert.deepEqual(section("engine"), ["apt_lock_timeout", "service_start_timeout", "host_lock_timeout"]);
    assert.deepEqual(section("topology"), ["management_address", "controller_host", "os_release", "database_host"]);
  });

  it("the same variables are secret as before, and Ansible's (unused) passwords too", () => {
    assert.deepEqual(
      [...secretVarNames].sort(),
      [
        "ansible_become_pass",
        "ansible_become_password",
        "ansible_password",
        "ansible_ssh_pass",
        "glance_db_password",
        "glance_keystone_password",
        "keystone_admin_password",
        "keystone_db_password",
        "mysql_admin_password",
      ],
    );
  });

  it("Ansible's other names each stand for a variable of the table and are none themselves", () => {
    for (const [alias, name] of Object.entries(ansibleAliases)) {
      assert.ok(name in varSpecs, `${alias} stands for ${name}`);
      assert.ok(!(alias in varSpecs), `${alias} is not also a variable`);
    }
  });
});

describe("os_release and database_host", () => {
  it("os_release accepts a supported release and names them all when it refuses one", () => {
    assert.deepEqual(SUPPORTED_RELEASES, ["bookworm", "trixie"]);
    assert.equal(varsBlockSchema.parse({ os_release: "bookworm" }).os_release, "bookworm");
    assert.equal(varsBlockSchema.parse({ os_release: "trixie" }).os_release, "trixie");
    const result = varsBlockSchema.safeParse({ os_release: "sid" });
    assert.ok(!result.success);
    const issue = result.error.issues[0]!;
    assert.deepEqual(issue.path, ["os_release"]);
    for (const release of SUPPORTED_RELEASES) assert.match(issue.message, new RegExp(release));
  });

  it("database_host takes an inventory host name and nothing else", () => {
    for (const ok of ["db1", "db-1.example", "controller_2"]) assert.ok(varsBlockSchema.safeParse({ database_host: ok }).success, ok);
    for (const bad of ["", "bad host", "-db", "db\n1", "db:3306", 5]) {
      assert.ok(!varsBlockSchema.safeParse({ database_host: bad }).success, JSON.stringify(bad));
    }
  });
});
