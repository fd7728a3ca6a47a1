import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keystoneService } from "../../src/tasks/keystoneService.js";
import { bootstrapped, runKeystone, type Service } from "./keystoneFake.js";

const task = () =>
  keystoneService({ name: "Service glance (image)", tags: ["keystone"], service: (v) => ({ name: v.glance_service_name, type: v.glance_service_type, description: v.glance_service_description }) });

const cases: { title: string; services?: Service[]; check?: boolean; status: string; summary?: string; diff?: string; mutations: string[]; body?: unknown }[] = [
  { title: "missing: created, enabled", status: "changed", summary: "create service glance (image)", mutations: ["POST /v3/services"], body: { service: { name: "glance", type: "image", description: "OpenStack Image", enabled: true } } },
  { title: "present as wanted: ok", services: [{ id: "s-1", name: "glance", type: "image", description: "OpenStack Image", enabled: true }], status: "ok", mutations: [] },
  { title: "description differs: updated with a before → after", services: [{ id: "s-1", name: "glance", type: "image", description: "Image service", enabled: true }], status: "changed", summary: "update service glance", diff: "description: Image service → OpenStack Image", mutations: ["PATCH /v3/services/s-1"], body: { service: { description: "OpenStack Image", enabled: true } } },
  { title: "no description: updated", services: [{ id: "s-1", name: "glance", type: "image", enabled: true }], status: "changed", diff: "description: (absent) → OpenStack Image", mutations: ["PATCH /v3/services/s-1"] },
  { title: "disabled: enabled again", services: [{ id: "s-1", name: "glance", type: "image", description: "OpenStack Image", enabled: false }], status: "changed", summary: "update service glance", mutations: ["PATCH /v3/services/s-1"] },
  { title: "another image service (other name) is left alone", services: [{ id: "s-9", name: "glance-old", type: "image", description: "old", enabled: true }], status: "changed", summary: "create service glance (image)", mutations: ["POST /v3/services"] },
  { title: "same name with another type does not count", services: [{ id: "s-9", name: "glance", type: "identity", description: "OpenStack Image", enabled: true }], status: "changed", summary: "create service glance (image)", mutations: ["POST /v3/services"] },
  { title: "check mode: would create, sends nothing", check: true, status: "changed", summary: "create service glance (image)", mutations: [] },
];

describe("keystoneService: catalog in, POST/PATCH out", () => {
  for (const c of cases) {
    it(c.title, async () => {
      const state = bootstrapped();
      state.services.push(...(c.services ?? []).map((s) => ({ ...s })));
      const twice = c.status === "changed" && !c.check;
      const { results, fake } = await runKeystone(task(), state, { check: c.check ?? false }, twice ? 2 : 1);
      assert.equal(results[0]!.status, c.status, JSON.stringify(results[0]));
      if (c.summary) assert.equal(results[0]!.summary, c.summary);
      if (c.diff) assert.equal(results[0]!.diff, c.diff);
      assert.deepEqual(fake.mutations(), c.mutations);
      if (c.body) assert.deepEqual(fake.requests.find((r) => ["POST", "PATCH"].includes(r.method) && r.path.startsWith("/v3/services"))!.body, c.body);
      if (twice) assert.equal(results[1]!.status, "ok", "a second run changes nothing");
      for (const s of state.services.filter((x) => x.id === "s-9")) assert.ok(s.name !== "glance" || s.type !== "image", "unrelated services untouched");
    });
  }
});
