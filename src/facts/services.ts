import { quote } from "shlex";
import type { FactSpec } from "./batch.js";

export interface ServiceState {
  enabled: string;
  active: string;
}

// systemd's own words for the unit ("enabled"/"disabled", "active"/"inactive"/"failed").
export function serviceFact(unit: string): FactSpec<ServiceState> {
  return {
    key: `service:${unit}`,
    command: `systemctl is-enabled ${quote(unit)}; systemctl is-active ${quote(unit)}`,
    parse(stdout) {
      const [enabled = "unknown", active = "unknown"] = stdout.trim().split("\n");
      return { enabled: enabled.trim(), active: active.trim() };
    },
  };
}
