import type { HostVars } from "../src/inventory/vars.js";

export const glanceService = (v: HostVars) => ({ name: v.glance_service_name, type: v.glance_service_type, description: v.glance_service_description });
