import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keystoneUser } from "../../src/tasks/keystoneUser.js";
import { ADMIN_PASS, bootstrapped, runKeystone, type User } from "./keystoneFake.js";
import { assertNoSecretInCommands, assertNoSecretInResult } from "./runTask.js";

const PASS = `gl4nce'"$%&ü pass`;
const task = () => keystoneUser({ name: "Keystone user glance", tags: ["keystone"], user: (v) => v.glance_keystone_user, password: (v) => v.glance_keystone_password });

const cases: {
  title: string;
  users?: User[];
  vars?: Record<string, unknown>;
  check?: boolean;
  status: string;
  summary?: RegExp;
  error?: RegExp;
  mutations: string[];
}[] = [
  { title: "missing: created in the domain with its password", status: "changed", summary: /^create user glance in domain default$/, mutations: ["POST /v3/users"] },
  { title: "present with the right password: ok", users: [{ id: "u-g", name: "glance", domain_id: "default", password: PASS, enabled: true }], status: "ok", mutations: [] },
  { title: "present with another password: password set", users: [{ id: "u-g", name: "glance", domain_id: "default", password: "old", enabled: true }], status: "changed", summary: /^set password of glance$/, mutations: ["PATCH /v3/users/u-g"] },
  { title: "disabled: enabled again", users: [{ id: "u-g", name: "glance", domain_id: "default", password: PASS, enabled: false }], status: "changed", summary: /enable glance/, mutations: ["PATCH /v3/users/u-g"] },
  { title: "same name in another domain does not count", users: [{ id: "u-g", name: "glance", domain_id: "other", password: PASS, enabled: true }], status: "changed", summary: /^create user glance in domain default$/, mutations: ["POST /v3/users"] },
  { title: "check mode: would create, sends nothing", check: true, status: "changed", summary: /^create user glance/, mutations: [] },
  { title: "check mode: would set password, sends nothing", users: [{ id: "u-g", name: "glance", domain_id: "default", password: "old", enabled: true }], check: true, status: "changed", summary: /^set password of glance$/, mutations: [] },
  { title: "no password in the inventory: fails", vars: { glance_keystone_password: undefined }, status: "failed", error: /no password set for Keystone user glance/, mutations: [] },
  { title: "wrong admin password: fails naming the variables", vars: { keystone_admin_password: "wrong-admin" }, status: "failed", error: /Keystone refused the admin credentials \(HTTP 401\)/, mutations: [] },
];

describe("keystoneUser: users in, REST calls out", () => {
  for (const c of cases) {
    it(c.title, async () => {
      const state = bootstrapped();
      state.users.push(...(c.users ?? []).map((u) => ({ ...u })));
      const { results, fake, h } = await runKeystone(task(), state, { check: c.check ?? false, vars: { glance_keystone_password: PASS, ...c.vars } }, c.status === "changed" && !c.check ? 2 : 1);
      const [result, again] = results;
      assert.equal(result!.status, c.status, JSON.stringify(result));
      if (c.summary) assert.match(result!.summary ?? "", c.summary);
      if (c.error) assert.match(result!.error ?? "", c.error);
      const mutations = fake.mutations();
      assert.deepEqual(mutations, c.mutations, "what the first run sent");
      if (again) assert.equal(again.status, "ok", `a second run changes nothing: ${JSON.stringify(again)}`);
      if (c.mutations.length) {
        const sent = fake.requests.find((r) => r.method !== "GET" && r.path.startsWith("/v3/users"))!;
        assert.deepEqual(sent.body, { user: { ...(sent.method === "POST" ? { name: "glance", domain_id: "default" } : {}), password: PASS, enabled: true } });
        const glance = state.users.find((u) => u.name === "glance" && u.domain_id === "default")!;
        assert.deepEqual([glance.password, glance.enabled], [PASS, true]);
      }
      for (const f of h.forwards) assert.deepEqual(f, { host: "controller", port: 5000 }, "Keystone is reached as the controller sees it");
      assertNoSecretInCommands(h, [PASS, ADMIN_PASS]);
      assertNoSecretInResult(result!, [PASS, ADMIN_PASS]);
    });
  }

  it("one admin token per play, reused by every call", async () => {
    const state = bootstrapped();
    const { fake } = await runKeystone(task(), state, { vars: { glance_keystone_password: PASS } });
    const adminLogins = fake.requests.filter((r) => r.path === "/v3/auth/tokens" && JSON.stringify(r.body).includes('"scope"'));
    assert.equal(adminLogins.length, 1);
  });
});
