import type { HostVars } from "../src/inventory/vars.js";
import { flushHandlers, once, type Playbook, type Step } from "../src/plan/types.js";
import { profileFor } from "../src/profiles/index.js";
import { aptPackages } from "../src/tasks/aptPackages.js";
import { file } from "../src/tasks/file.js";
import { restartHandler, service } from "../src/tasks/service.js";
import { controllerResolves, releaseSupported } from "../src/preflight/host.js";
import { onDatabaseHost } from "./names.js";

// The guide's openstack.cnf; bind-address is the management address so `controller` works for everyone
// (Debian's default 127.0.0.1 makes glance's db_sync retry for 100 s and fail).
export function mariadbCnf(v: HostVars) {
  return {
    path: `${profileFor(v).paths.mariadbConfDir}/99-openstack.cnf`,
    content: [
      "# Managed by glance-deploy.",
      "[mysqld]",
      `bind-address = ${v.management_address}`,
      `port = ${v.mysql_port}`,
      "default-storage-engine = innodb",
      "innodb_file_per_table = on",
      "max_connections = 4096",
      "collation-server = utf8_general_ci",
      "character-set-server = utf8",
      "",
    ].join("\n"),
    mode: 0o644,
    owner: "root",
    group: "root",
  };
}

// MariaDB on the database host only (one server for the group; the HA playbooks make it a Galera cluster).
export const mariadbSteps: Step[] = [
  {
    name: "mariadb",
    tasks: [
      ...once(
        [
          aptPackages({ name: "MariaDB packages", tags: ["mariadb", "packages"], packages: (v) => profileFor(v).packages.mariadb }),
          file({ name: "MariaDB openstack.cnf", tags: ["mariadb", "config"], notify: ["restart mariadb"], render: mariadbCnf }),
          service({ name: "MariaDB running", tags: ["mariadb", "service"], unit: (v) => profileFor(v).units.mariadb, restartedBy: "restart mariadb" }),
        ],
        onDatabaseHost,
      ),
      flushHandlers("MariaDB ready for clients", ["restart mariadb"]),
    ],
  },
];

export const mariadb: Playbook = {
  name: "mariadb",
  group: "controller",
  preflight: [releaseSupported, controllerResolves],
  steps: mariadbSteps,
  handlers: [restartHandler("restart mariadb", (v) => profileFor(v).units.mariadb)],
};
