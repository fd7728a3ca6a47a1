import type { HostVars } from "../src/inventory/vars.js";

export const glanceService = (v: HostVars) => ({ name: v.glance_service_name, type: v.glance_service_type, description: v.glance_service_description });

// Database work (databases, grants, schema sync) runs once, on the host whose MariaDB holds the databases;
// unset, the first host of the play's group.
export const onDatabaseHost = (v: HostVars) => v.database_host;
