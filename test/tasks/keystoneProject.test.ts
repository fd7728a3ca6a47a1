import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keystoneProject } from "../../src/tasks/keystoneProject.js";
import { bootstrapped, runKeystone, type Project } from "./keystoneFake.js";

const task = () => keystoneProject({ name: "Project service", tags: ["keystone"], project: (v) => v.keystone_service_project, description: "Service Project" });

const cases: { title: string; projects?: Project[]; vars?: Record<string, unknown>; check?: boolean; status: string; summary?: string; mutations: string[] }[] = [
  { title: "missing: created in the domain", status: "changed", summary: "create project service", mutations: ["POST /v3/projects"] },
  { title: "present: ok", projects: [{ id: "p-s", name: "service", domain_id: "default" }], status: "ok", mutations: [] },
  { title: "same name in another domain does not count", projects: [{ id: "p-s", name: "service", domain_id: "other" }], status: "changed", mutations: ["POST /v3/projects"] },
  { title: "renamed service project variable", projects: [{ id: "p-s", name: "service", domain_id: "default" }], vars: { keystone_service_project: "services" }, status: "changed", summary: "create project services", mutations: ["POST /v3/projects"] },
  { title: "check mode: would create, sends nothing", check: true, status: "changed", summary: "create project service", mutations: [] },
];

describe("keystoneProject: projects in, POST out", () => {
  for (const c of cases) {
    it(c.title, async () => {
      const state = bootstrapped();
      state.projects.push(...(c.projects ?? []));
      const twice = c.status === "changed" && !c.check;
      const { results, fake } = await runKeystone(task(), state, { check: c.check ?? false, vars: c.vars ?? {} }, twice ? 2 : 1);
      assert.equal(results[0]!.status, c.status, JSON.stringify(results[0]));
      if (c.summary) assert.equal(results[0]!.summary, c.summary);
      assert.deepEqual(fake.mutations(), c.mutations);
      if (twice) {
        assert.equal(results[1]!.status, "ok", "a second run changes nothing");
        const name = (c.vars?.keystone_service_project as string | undefined) ?? "service";
        assert.deepEqual(fake.requests.find((r) => r.method === "POST" && r.path === "/v3/projects")!.body, { project: { name, domain_id: "default", description: "Service Project", enabled: true } });
      }
    });
  }
});
