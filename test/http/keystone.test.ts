import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keystoneService } from "../../src/tasks/keystoneService.js";
import { ScriptedHost } from "../helpers/scriptedHost.js";
import { ADMIN_PASS, bootstrapped, FakeKeystone } from "../tasks/keystoneFake.js";
import { runTask } from "../tasks/runTask.js";

const task = () =>
  keystoneService({ name: "Service glance (image)", tags: ["keystone"], service: (v) => ({ name: v.glance_service_name, type: v.glance_service_type, description: v.glance_service_description }) });

// Keystone's failures as a freshly booted controller shows them: reads are repeated, writes never are.
const cases: {
  title: string;
  // The faults, in order, for requests of this method and path; later requests are served normally.
  faults: { method: string; path: string; answers: (number | "hang up")[] };
  status: string;
  error?: RegExp;
  // How many requests of the faulty method and path reached Keystone.
  sent: number;
}[] = [
  { title: "two 500s on a lookup: read again, then ok", faults: { method: "GET", path: "/v3/services", answers: [500, 500] }, status: "changed", sent: 3 },
  { title: "a dropped connection on a lookup: read again", faults: { method: "GET", path: "/v3/services", answers: ["hang up"] }, status: "changed", sent: 2 },
  { title: "three 500s: the task fails with Keystone's status", faults: { method: "GET", path: "/v3/services", answers: [500, 500, 500] }, status: "failed", error: /HTTP 500/, sent: 3 },
  { title: "a 500 on a write is not repeated", faults: { method: "POST", path: "/v3/services", answers: [500] }, status: "failed", error: /POST \/v3\/services: HTTP 500/, sent: 1 },
  { title: "a 404 is an answer, not a fault: no repeat", faults: { method: "GET", path: "/v3/services", answers: [404] }, status: "failed", error: /HTTP 404/, sent: 1 },
];

describe("Keystone client: reads repeated on 5xx and dropped connections, writes never", () => {
  for (const c of cases) {
    it(c.title, async () => {
      const h = new ScriptedHost("h1");
      const fake = new FakeKeystone(bootstrapped());
      const answers = [...c.faults.answers];
      fake.fault = (method, path) => (method === c.faults.method && path === c.faults.path ? answers.shift() : undefined);
      await fake.attach(h);
      try {
        const result = await runTask(h, task(), { vars: { keystone_admin_password: ADMIN_PASS } });
        assert.equal(result.status, c.status, JSON.stringify(result));
        if (c.error) assert.match(result.error ?? "", c.error);
        const sent = fake.requests.filter((r) => r.method === c.faults.method && r.path.replace(/\?.*/, "") === c.faults.path).length;
        assert.equal(sent, c.sent);
      } finally {
        await fake.close();
      }
    });
  }
});
