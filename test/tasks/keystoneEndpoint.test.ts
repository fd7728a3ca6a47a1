import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keystoneEndpoint } from "../../src/tasks/keystoneEndpoint.js";
import { bootstrapped, runKeystone, type Endpoint, type KeystoneState } from "./keystoneFake.js";

const URL_ = "http://controller:9292";
const task = (iface: "public" | "internal" | "admin" = "public") =>
  keystoneEndpoint({ name: `Endpoint image ${iface}`, tags: ["keystone"], service: (v) => ({ name: v.glance_service_name, type: v.glance_service_type }), interface: iface, region: (v) => v.keystone_region, url: (v) => v.glance_url });

// Keystone with the glance service entry and the given endpoints.
function withService(endpoints: Omit<Endpoint, "service_id">[], service = true): KeystoneState {
  const s = bootstrapped();
  if (service) s.services.push({ id: "s-img", name: "glance", type: "image", description: "OpenStack Image", enabled: true });
  s.endpoints.push(...endpoints.map((e) => ({ service_id: "s-img", ...e })));
  return s;
}
const ep = (id: string, url: string, extra: Partial<Endpoint> = {}) => ({ id, interface: "public", region_id: "RegionOne", url, enabled: true, ...extra });

const cases: { title: string; state: KeystoneState; iface?: "public" | "internal" | "admin"; vars?: Record<string, unknown>; check?: boolean; status: string; summary?: string; diff?: string; error?: RegExp; mutations: string[]; left?: string[] }[] = [
  { title: "missing: created", state: withService([]), status: "changed", summary: "create glance public endpoint in RegionOne", mutations: ["POST /v3/endpoints"], left: [URL_] },
  { title: "present with the URL: ok", state: withService([ep("e1", URL_)]), status: "ok", mutations: [], left: [URL_] },
  { title: "wrong URL: corrected in place with a before → after", state: withService([ep("e1", "http://old:9292")]), status: "changed", summary: "set URL of glance public endpoint in RegionOne", diff: "url: http://old:9292 → http://controller:9292", mutations: ["PATCH /v3/endpoints/e1"], left: [URL_] },
  { title: "duplicates: the right one kept, the others deleted", state: withService([ep("e1", "http://old:9292"), ep("e2", URL_), ep("e3", URL_)]), status: "changed", summary: "delete 2 duplicate(s)", mutations: ["DELETE /v3/endpoints/e1", "DELETE /v3/endpoints/e3"], left: [URL_] },
  { title: "disabled: enabled again", state: withService([ep("e1", URL_, { enabled: false })]), status: "changed", summary: "enable it", mutations: ["PATCH /v3/endpoints/e1"], left: [URL_] },
  { title: "other interfaces and regions are not this endpoint", state: withService([ep("e1", URL_, { interface: "internal" }), ep("e2", URL_, { region_id: "RegionTwo" })]), status: "changed", summary: "create glance public endpoint in RegionOne", mutations: ["POST /v3/endpoints"] },
  { title: "admin interface", iface: "admin", state: withService([ep("e1", URL_)]), status: "changed", summary: "create glance admin endpoint in RegionOne", mutations: ["POST /v3/endpoints"] },
  { title: "custom glance_url and region", state: withService([ep("e1", URL_)]), vars: { glance_url: "https://img.example.org:9292", keystone_region: "RegionOne" }, status: "changed", diff: "url: http://controller:9292 → https://img.example.org:9292", mutations: ["PATCH /v3/endpoints/e1"], left: ["https://img.example.org:9292"] },
  { title: "check mode with no service yet: would create", state: withService([], false), check: true, status: "changed", summary: "create glance public endpoint in RegionOne", mutations: [] },
  { title: "check mode: would correct, sends nothing", state: withService([ep("e1", "http://old:9292")]), check: true, status: "changed", mutations: [] },
  { title: "service missing at apply time: fails naming it", state: withService([], false), status: "failed", error: /service glance \(image\) not found/, mutations: [] },
];

describe("keystoneEndpoint: catalog in, POST/PATCH/DELETE out", () => {
  for (const c of cases) {
    it(c.title, async () => {
      const twice = c.status === "changed" && !c.check;
      const { results, fake } = await runKeystone(task(c.iface), c.state, { check: c.check ?? false, vars: c.vars ?? {} }, twice ? 2 : 1);
      assert.equal(results[0]!.status, c.status, JSON.stringify(results[0]));
      if (c.summary) assert.equal(results[0]!.summary, c.summary);
      if (c.diff) assert.equal(results[0]!.diff, c.diff);
      if (c.error) assert.match(results[0]!.error ?? "", c.error);
      assert.deepEqual(fake.mutations().sort(), [...c.mutations].sort(), "what the first run sent (any order)");
      if (twice) assert.equal(results[1]!.status, "ok", "a second run changes nothing");
      if (c.left) {
        const mine = c.state.endpoints.filter((e) => e.interface === (c.iface ?? "public") && e.region_id === "RegionOne");
        assert.deepEqual(mine.map((e) => [e.url, e.enabled]), c.left.map((u) => [u, true]));
      }
      const post = fake.requests.find((r) => r.method === "POST" && r.path === "/v3/endpoints");
      if (post) assert.deepEqual(post.body, { endpoint: { service_id: "s-img", interface: c.iface ?? "public", region_id: "RegionOne", url: (c.vars?.glance_url as string | undefined) ?? URL_, enabled: true } });
    });
  }
});
