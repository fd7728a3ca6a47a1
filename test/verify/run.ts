import { runPlay } from "../../src/apply/play.js";
import type { PlayEvents } from "../../src/report/events.js";
import type { PlayReport } from "../../src/report/types.js";
import { glanceVerification } from "../../src/verify/glance.js";
import { ScriptedHost } from "../helpers/scriptedHost.js";
import { attachFakes, FakeGlance, glanceVarsFor } from "../http/glanceFake.js";
import { hostVars } from "../tasks/runTask.js";

// `glance-deploy verify` on one scripted host whose tunnel leads to a fake Keystone and a fake Glance.
export async function runVerify(vars: Record<string, unknown>, options: { glance?: FakeGlance; events?: PlayEvents } = {}): Promise<{ report: PlayReport; glance: FakeGlance }> {
  const h = new ScriptedHost("h1");
  const fakes = await attachFakes(h, options.glance);
  try {
    const report = await runPlay({
      playbook: { name: "verify", group: "controller", tasks: [], verify: glanceVerification({ tags: ["verify"], upload: () => true }) },
      hosts: [{ name: h.host, groups: ["controller"], vars: hostVars({ ...glanceVarsFor, ...vars }) }],
      connect: async () => h,
      ...(options.events ? { events: options.events } : {}),
    });
    return { report, glance: fakes.glance };
  } finally {
    await fakes.close();
  }
}
