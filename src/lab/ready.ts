import { execa } from "execa";
import { LabError } from "./errors.js";
import { sshArgs } from "./ssh.js";
import type { HostState, LabState } from "./state.js";

// A host is ready when SSH with the lab key works and systemd reports the boot finished
// ("running", or "degraded" when some unit failed, which a real host can be too).
export async function waitForSystem(state: LabState, host: HostState, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    const r = await execa("ssh", [...sshArgs(state, host), "--", "systemctl is-system-running --wait"], {
      reject: false,
      stdin: "ignore",
      encoding: "utf8",
      timeout: Math.max(1000, deadline - Date.now()),
    });
    const status = String(r.stdout ?? "").trim();
    if (status === "running" || status === "degraded") return status;
    last = status || String(r.stderr ?? "").trim();
    // 255 is ssh's own failure (sshd not ready yet); anything else is systemd's answer, which will not change.
    if (r.exitCode !== 255 && status !== "" && status !== "starting" && status !== "initializing") break;
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new LabError(`${host.name}: boot did not finish (systemctl is-system-running: ${last || "no answer"})`);
}
