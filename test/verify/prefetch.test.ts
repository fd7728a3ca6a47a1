// The verification's early reads never go unhandled: a host whose own address is the catalogue's (`controller`)
// and whose glance-api refuses connections gets a failed verification line, not a crashed process.
import assert from "node:assert/strict";
import { it } from "node:test";
import { runPlay } from "../../src/apply/play.js";
import { applyDefaults } from "../../src/inventory/vars.js";
import { glanceVerification } from "../../src/verify/glance.js";
import { ScriptedHost } from "../helpers/scriptedHost.js";

it("glance-api refusing at the catalogue's own address: verification fails, the run reports", async () => {
  const h = new ScriptedHost("h1");
  h.forwardTo = async (host, port) => {
    throw new Error(`cannot open tunnel to ${host}:${port}: Connection refused`);
  };
  const vars = applyDefaults("h1", { management_address: "controller", keystone_admin_password: "pw", service_start_timeout: 0.2 });
  const report = await runPlay({
    playbook: { name: "v", group: "controller", tasks: [], verify: glanceVerification({ tags: ["verify"], upload: () => false }) },
    hosts: [{ name: "h1", groups: ["controller"], vars }],
    connect: async () => h,
  });
  const line = report.tasks.find((t) => t.name === "Verify Glance");
  assert.equal(line?.status, "failed", JSON.stringify(report));
  // Give any stray rejection the chance to surface before the test ends.
  await new Promise((r) => setTimeout(r, 50));
});
