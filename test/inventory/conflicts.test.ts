// Two groups of the same depth giving a host different values: the later name wins (as in Ansible), with a
// warning naming the variable, both groups and the hosts, never the value.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { tempInventories } from "./tempInventory.js";

const inv = tempInventories("conflicts");

// east and west are both children of controller (depth 2); h1 is in both.
const twoGroups = (east: string, west: string, host = "{}") => `all:
  children:
    controller:
      children:
        east:
          vars: { ${east} }
          hosts: { h1: ${host}, h2: {} }
        west:
          vars: { ${west} }
          hosts: { h1: , h3: {} }
`;

describe("same-depth group conflicts", () => {
  const cases: [what: string, text: string, warning: RegExp | undefined][] = [
    [
      "different values: warned, the later name wins",
      twoGroups("glance_paste_flavor: 'keystone'", "glance_paste_flavor: 'keystone+cachemanagement'"),
      /:9:\d+: glance_paste_flavor is set differently by groups `east` and `west` \(same depth\) for host h1; `west` wins/,
    ],
    ["equal values: no warning", twoGroups("glance_paste_flavor: keystone", "glance_paste_flavor: keystone"), undefined],
    ["set on the host itself: the tie decides nothing", twoGroups("glance_lock_path: a", "glance_lock_path: b", "{ glance_lock_path: c }"), undefined],
    ["different variables: no warning", twoGroups("glance_lock_path: a", "glance_paste_flavor: b"), undefined],
    [
      "Ansible's other name of the same variable",
      twoGroups("ansible_user: a", "ansible_ssh_user: b"),
      /ansible_user is set differently by groups `east` and `west` \(same depth\) for host h1/,
    ],
  ];
  for (const [what, text, warning] of cases) {
    it(what, () => {
      const loaded = inv.load(text);
      if (!warning) return assert.deepEqual(loaded.warnings, []);
      assert.equal(loaded.warnings.length, 1, loaded.warnings.join("\n"));
      assert.match(loaded.warnings[0]!, warning);
    });
  }

  it("the winner is the value the host gets", () => {
    const loaded = inv.load(twoGroups("glance_lock_path: east-store", "glance_lock_path: west-store"));
    assert.equal(loaded.hosts.find((h) => h.name === "h1")!.vars.glance_lock_path, "west-store");
    assert.equal(loaded.hosts.find((h) => h.name === "h2")!.vars.glance_lock_path, "east-store");
  });

  it("a deeper group settles it: no warning", () => {
    const loaded = inv.load(`all:
  children:
    controller:
      children:
        east: { vars: { glance_lock_path: a }, hosts: { h1: {} } }
        west:
          vars: { glance_lock_path: b }
          children:
            rack1: { vars: { glance_lock_path: c }, hosts: { h1: } }
`);
    assert.deepEqual(loaded.warnings, []);
    assert.equal(loaded.hosts[0]!.vars.glance_lock_path, "c");
  });

  it("a secret: the groups and variable are named, never a value", () => {
    const loaded = inv.load(twoGroups("glance_db_password: { env: GD_A }", "glance_db_password: { env: GD_B }"), {
      requireGroup: "controller",
      env: { GD_A: "first-secret-91", GD_B: "second-secret-92" },
    });
    assert.equal(loaded.warnings.length, 1);
    assert.match(loaded.warnings[0]!, /glance_db_password is set differently by groups `east` and `west`/);
    assert.doesNotMatch(loaded.warnings[0]!, /secret-9|GD_/);
  });

  it("one warning for every host the same tie decides, three groups listed", () => {
    const loaded = inv.load(`all:
  children:
    controller:
      children:
        a: { vars: { glance_lock_path: x }, hosts: { h1: {}, h2: {} } }
        b: { vars: { glance_lock_path: y }, hosts: { h1: , h2: } }
        c: { vars: { glance_lock_path: x }, hosts: { h1: , h2: } }
`);
    assert.equal(loaded.warnings.length, 1);
    assert.match(loaded.warnings[0]!, /groups `a`, `b` and `c` \(same depth\) for hosts h1, h2; `c` wins/);
  });
});
