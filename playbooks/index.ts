import type { Playbook } from "../src/plan/types.js";
import { glance } from "./glance.js";

// Playbooks by name; `site` runs them in the install guide's order as one play per host.
export const playbooks: Record<string, Playbook> = { glance, site: glance };
