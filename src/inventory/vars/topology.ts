import { z } from "zod";
import { SUPPORTED_RELEASES } from "./releases.js";
import { hostish, inventoryHostName, type Vars, type VarSpec } from "./schemas.js";

// Where things run and how the hosts name each other. Later sections derive URLs and addresses from
// controller_host, so this section must stay ahead of them in the merged table.
export const topologyVars = {
  management_address: {
    schema: hostish,
    default: (v: Vars) => v.ansible_host,
    doc: "Address MariaDB and memcached listen on; `controller` must resolve to it.",
  },
  controller_host: { schema: hostish, default: "controller", doc: "Name every service uses to reach the controller." },
  // No default: unset means "not declared", which deploy treats differently from a declared release.
  os_release: {
    schema: z.enum(SUPPORTED_RELEASES, { error: `must be one of the supported releases: ${SUPPORTED_RELEASES.join(", ")}` }),
    doc: "Debian release of the hosts (`bookworm`). `render` uses it (unset: bookworm); `deploy` reads each host's /etc/os-release and refuses a declared value that differs.",
  },
  // No default: the fallback (first host of `controller`) depends on the whole inventory, not on one host's vars.
  database_host: {
    schema: inventoryHostName,
    doc: "Inventory host whose MariaDB holds the databases; database work (databases, grants, schema sync) runs there. Unset: the first host of `controller`.",
  },
} satisfies Record<string, VarSpec>;
