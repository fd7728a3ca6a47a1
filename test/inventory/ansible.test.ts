// Inventories written for Ansible: its connection variables are read or accepted, variables of hosts and
// groups outside the play are left aside (with a note), and typos where the play runs still fail with a
// suggestion.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InventoryError } from "../../src/errors.js";
import { sshTargetFor } from "../../src/inventory/target.js";
import { tempInventories, thrown } from "./tempInventory.js";

const inv = tempInventories("ansible");

const ansibleInventory = `all:
  vars:
    ansible_python_interpreter: /usr/bin/python3
    ansible_connection: ssh
    ansible_ssh_user: deployer
    ansible_become: yes
    ansible_become_user: root
    ansible_become_method: sudo
    ansible_ssh_common_args: "-o ProxyJump=jump@bastion:2222"
    ansible_ssh_extra_args: "-o ServerAliveInterval=30"
    ansible_shell_type: sh
    ansible_host_key_checking: false
  children:
    controller:
      hosts:
        controller1:
          ansible_ssh_host: 192.0.2.10
          ansible_ssh_port: 2200
          ansible_private_key_file: ~/.ssh/deploy_ed25519
          management_address: 10.0.0.11
    compute:
      vars:
        nova_compute_driver: libvirt
        nova_rbd_secret: { env: NOVA_RBD_SECRET_NOT_SET }
      hosts:
        compute1:
          ansible_ssh_host: 192.0.2.10
          ansible_ssh_port: 2200
          nova_cpu_allocation_ratio: 4.0
`;

describe("an inventory written for Ansible", () => {
  it("loads: the connection variables that apply are read, those that do not are accepted", () => {
    const loaded = inv.load(ansibleInventory);
    const host = loaded.hosts.find((h) => h.name === "controller1")!;
    const target = sshTargetFor(host);
    assert.equal(target.address, "192.0.2.10");
    assert.equal(target.port, 2200);
    assert.equal(target.user, "deployer");
    assert.equal(target.become, true);
    assert.match(target.privateKeyPath ?? "", /\/\.ssh\/deploy_ed25519$/);
    assert.equal(host.vars.ansible_ssh_common_args, "-o ProxyJump=jump@bastion:2222", "kept for the SSH transport");
    assert.ok(!("ansible_ssh_user" in host.vars) && !("ansible_ssh_host" in host.vars), "aliases are filed under the variable they stand for");
    assert.deepEqual(loaded.warnings, []);
  });

  it("leaves the variables of groups and hosts outside the play unread, and says so in the notes", () => {
    const loaded = inv.load(ansibleInventory);
    // Unread means unchecked and unresolved: the unknown names and the unset environment variable pass.
    assert.equal(loaded.notes?.length, 2);
    assert.match(loaded.notes![0]!, /:\d+:\d+: all\.children\.compute\.vars: not read \(group `compute` has no host in `controller`, the group the play runs on\): nova_compute_driver, nova_rbd_secret$/);
    assert.match(loaded.notes![1]!, /all\.children\.compute\.hosts\.compute1: not read \(host `compute1` is not in `controller`.*\): ansible_ssh_host, ansible_ssh_port, nova_cpu_allocation_ratio$/);
    // compute1 shares controller1's address; being outside the play it is no second name for a play host.
    const compute = loaded.hosts.find((h) => h.name === "compute1")!;
    assert.equal(compute.vars.ansible_host, "compute1", "its own variables are not read");
    assert.equal(compute.vars.ansible_user, "deployer", "what `all` gives it still applies");
    assert.deepEqual(loaded.groups.compute, ["compute1"]);
  });

  it("without a play group (library use) every block is read and checked, as before", () => {
    const error = thrown(() => inv.load(ansibleInventory, { env: {} }));
    assert.ok(error instanceof InventoryError);
    assert.match(error.message, /all\.children\.compute\.vars\.nova_compute_driver: not a known variable/);
  });

  it("a group holding a play host is checked even if most of its hosts are outside the play", () => {
    const text = `all:
  children:
    site_a:
      vars: { glance_stores: file, nova_thing: 1 }
      hosts: { controller1: {}, compute1: {} }
    controller: { hosts: { controller1: {} } }
`;
    const error = thrown(() => inv.load(text));
    assert.ok(error instanceof InventoryError);
    assert.match(error.message, /:4:\d+: all\.children\.site_a\.vars\.nova_thing: not a known variable/);
  });
});

describe("Ansible's other names", () => {
  it("keep Ansible's precedence: a host's ansible_ssh_user beats its group's ansible_user", () => {
    const loaded = inv.load(`all:
  vars: { ansible_user: a }
  children:
    controller:
      vars: { ansible_ssh_user: b, ansible_port: 2022 }
      hosts:
        h1: { ansible_ssh_user: c }
        h2: { ansible_ssh_port: 2023 }
`);
    const [h1, h2] = loaded.hosts;
    assert.equal(h1!.vars.ansible_user, "c");
    assert.equal(h2!.vars.ansible_user, "b");
    assert.equal(h2!.vars.ansible_port, 2023);
  });

  it("both names in one block: equal values are fine, different ones are an error at the alias", () => {
    assert.equal(inv.load("all:\n  vars: { ansible_user: a, ansible_ssh_user: a }\n  children: { controller: { hosts: { h1: {} } } }\n").hosts[0]!.vars.ansible_user, "a");
    const error = thrown(() => inv.load("all:\n  vars: { ansible_user: a, ansible_ssh_user: b }\n  children: { controller: { hosts: { h1: {} } } }\n"));
    assert.ok(error instanceof InventoryError);
    assert.match(error.message, /:2:\d+: all\.vars\.ansible_ssh_user: both `ansible_ssh_user` and `ansible_user` are set here, to different values; keep one$/);
  });

  it("an alias is checked with its variable's type", () => {
    const error = thrown(() => inv.load("all:\n  children: { controller: { hosts: { h1: { ansible_ssh_port: 99999 } } } }\n"));
    assert.ok(error instanceof InventoryError);
    assert.match(error.message, /hosts\.h1\.ansible_ssh_port: expected number to be <=65535/);
  });
});

describe("connection variables with one supported value", () => {
  const cases: [variable: string, value: string, message: RegExp][] = [
    ["ansible_connection", "local", /all\.vars\.ansible_connection: only `ssh` is supported: the tool reaches every host over SSH/],
    ["ansible_connection", "paramiko", /ansible_connection: only `ssh` is supported/],
    ["ansible_become_user", "postgres", /all\.vars\.ansible_become_user: only `root` is supported: commands run as root/],
    ["ansible_become_method", "su", /all\.vars\.ansible_become_method: only `sudo` is supported/],
  ];
  for (const [variable, value, message] of cases) {
    it(`${variable}: ${value} is refused, naming the variable`, () => {
      const error = thrown(() => inv.load(`all:\n  vars: { ${variable}: ${value} }\n  children: { controller: { hosts: { h1: {} } } }\n`));
      assert.ok(error instanceof InventoryError, String(error));
      assert.equal(error.exitCode, 5);
      assert.match(error.message, message);
    });
  }

  it("the same values on a host outside the play are not read", () => {
    const loaded = inv.load("all:\n  children:\n    controller: { hosts: { h1: {} } }\n    workers: { hosts: { w1: { ansible_connection: local, ansible_become_user: postgres } } }\n");
    assert.equal(loaded.notes?.length, 1);
  });
});

describe("typos where the play runs: exit 5 with a suggestion", () => {
  const cases: [typo: string, suggestion: string | undefined][] = [
    ["glance_db_pasword", "glance_db_password"],
    ["glacne_db_password", "glance_db_password"],
    ["ansible_usr", "ansible_user"],
    ["managment_address", "management_address"],
    ["Glance_Url", "glance_url"],
    ["ansible_ssh_usr", "ansible_ssh_user"],
    ["keystone_admin_pass", "keystone_admin_password"],
    ["nova_compute_driver", undefined],
  ];
  const places: [where: string, text: (v: string) => string, path: string][] = [
    ["all.vars", (v) => `all:\n  vars: { ${v}: x }\n  children: { controller: { hosts: { h1: {} } } }\n`, "all.vars"],
    ["the play group's vars", (v) => `all:\n  children:\n    controller:\n      vars: { ${v}: x }\n      hosts: { h1: {} }\n`, "all.children.controller.vars"],
    ["a play host", (v) => `all:\n  children:\n    controller:\n      hosts:\n        h1: { ${v}: x }\n`, "all.children.controller.hosts.h1"],
  ];
  for (const [typo, suggestion] of cases) {
    for (const [where, text, path] of places) {
      it(`${typo} in ${where}`, () => {
        const error = thrown(() => inv.load(text(typo)));
        assert.ok(error instanceof InventoryError, String(error));
        assert.equal(error.exitCode, 5);
        const expected = `${path}.${typo}: not a known variable (see README: Inventory variables)${suggestion ? `; did you mean \`${suggestion}\`?` : ""}`;
        assert.ok(error.message.endsWith(expected), error.message);
      });
    }
  }
});
