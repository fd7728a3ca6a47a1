import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { closestName, editDistance } from "../../src/inventory/suggest.js";

describe("edit distance", () => {
  const cases: [string, string, number][] = [
    ["", "", 0],
    ["abc", "abc", 0],
    ["", "abc", 3],
    ["glance_db_pasword", "glance_db_password", 1],
    ["glacne", "glance", 1],
    ["kitten", "sitting", 3],
    ["ansible_usr", "ansible_user", 1],
    ["ca", "abc", 3],
  ];
  for (const [a, b, d] of cases) it(`${a || "''"} → ${b || "''"}: ${d}`, () => assert.equal(editDistance(a, b), d));
});

describe("closest name", () => {
  const known = ["ansible_user", "ansible_port", "glance_db_password", "glance_db_user", "keystone_admin_user", "keystone_admin_password", "glance_url"];
  const cases: [string, string | undefined][] = [
    ["ansible_usr", "ansible_user"],
    ["ansible_prot", "ansible_port"],
    ["GLANCE_URL", "glance_url"],
    ["keystone_admin_pass", "keystone_admin_password"],
    ["glance_db", "glance_db_user"],
    ["glance_ur", "glance_url"],
    ["nova_compute_driver", undefined],
    ["usr", undefined],
    ["x", undefined],
  ];
  for (const [name, expected] of cases) it(`${name} → ${expected ?? "none"}`, () => assert.equal(closestName(name, known), expected));
});
