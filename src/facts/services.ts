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

export interface UnitState {
  // systemd's ActiveState word: "active", "inactive", "failed", "activating", ...
  active: string;
  // "loaded", or "not-found" when no such unit is installed.
  load: string;
}

// Whether a unit runs, and whether it exists at all (a service that is not installed is not "stopped").
export function unitStateFact(unit: string): FactSpec<UnitState> {
  return {
    key: `unit-state:${unit}`,
    command: `systemctl show -p ActiveState -p LoadState ${quote(unit)}`,
    parse(stdout) {
      const value = (name: string) => new RegExp(`^${name}=(.*)$`, "m").exec(stdout)?.[1]?.trim() || "unknown";
      return { active: value("ActiveState"), load: value("LoadState") };
    },
  };
}
