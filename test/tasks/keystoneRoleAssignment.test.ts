import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keystoneRoleAssignment } from "../../src/tasks/keystoneRoleAssignment.js";
import { bootstrapped, runKeystone, type KeystoneState } from "./keystoneFake.js";

const task = () =>
  keystoneRoleAssignment({ name: "Role admin for glance on project service", tags: ["keystone"], user: (v) => v.glance_keystone_user, project: (v) => v.keystone_service_project, role: (v) => v.glance_keystone_role });

// Bootstrapped Keystone plus the guide's service project and glance user, as the earlier tasks leave them.
function withGlance(opts: { user?: boolean; project?: boolean; assigned?: string } = {}): KeystoneState {
  const s = bootstrapped();
  if (opts.project !== false) s.projects.push({ id: "p-svc", name: "service", domain_id: "default" });
  if (opts.user !== false) s.users.push({ id: "u-glance", name: "glance", domain_id: "default", password: "x", enabled: true });
  if (opts.assigned) s.assignments.add(`p-svc/u-glance/${opts.assigned}`);
  return s;
}

const cases: { title: string; state: KeystoneState; vars?: Record<string, unknown>; check?: boolean; status: string; summary?: string; error?: RegExp; mutations: string[] }[] = [
  { title: "assigned: ok (found in the user's role assignments)", state: withGlance({ assigned: "r-admin" }), status: "ok", mutations: [] },
  { title: "not assigned: PUT once", state: withGlance(), status: "changed", summary: "give glance role admin on project service", mutations: ["PUT /v3/projects/p-svc/users/u-glance/roles/r-admin"] },
  { title: "another role assigned does not count", state: withGlance({ assigned: "r-reader" }), status: "changed", mutations: ["PUT /v3/projects/p-svc/users/u-glance/roles/r-admin"] },
  { title: "configured role is used", state: withGlance({ assigned: "r-admin" }), vars: { glance_keystone_role: "member" }, status: "changed", summary: "give glance role member on project service", mutations: ["PUT /v3/projects/p-svc/users/u-glance/roles/r-member"] },
  { title: "check mode: would assign, sends nothing", state: withGlance(), check: true, status: "changed", mutations: [] },
  { title: "check mode with the user not created yet: would assign", state: withGlance({ user: false }), check: true, status: "changed", summary: "give glance role admin on project service", mutations: [] },
  { title: "user missing at apply time: fails naming it", state: withGlance({ user: false }), status: "failed", error: /user not found/, mutations: [] },
  { title: "project missing at apply time: fails naming it", state: withGlance({ project: false }), status: "failed", error: /project not found/, mutations: [] },
  { title: "role missing: fails naming it", state: withGlance(), vars: { glance_keystone_role: "nosuchrole" }, status: "failed", error: /role not found/, mutations: [] },
];

describe("keystoneRoleAssignment: assignments in, PUT out", () => {
  for (const c of cases) {
    it(c.title, async () => {
      const twice = c.status === "changed" && !c.check;
      const { results, fake } = await runKeystone(task(), c.state, { check: c.check ?? false, vars: c.vars ?? {} }, twice ? 2 : 1);
      assert.equal(results[0]!.status, c.status, JSON.stringify(results[0]));
      if (c.summary) assert.equal(results[0]!.summary, c.summary);
      if (c.error) assert.match(results[0]!.error ?? "", c.error);
      assert.deepEqual(fake.mutations(), c.mutations);
      if (twice) assert.equal(results[1]!.status, "ok", "a second run changes nothing");
    });
  }
});
