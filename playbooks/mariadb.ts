import type { HostVars } from "../src/inventory/vars.js";
import { flushHandlers, type Playbook } from "../src/plan/types.js";
import { aptPackages } from "../src/tasks/aptPackages.js";
import { file } from "../src/tasks/file.js";
import { restartHandler, service } from "../src/tasks/service.js";
import { controllerResolves } from "./preflight.js";

export const MARIADB_CNF = "/etc/mysql/mariadb.conf.d/99-openstack.cnf";

// The guide's openstack.cnf; bind-address is the management address so `controller` works for everyone
// (Debian's default 127.0.0.1 makes glance's db_sync retry for 100 s and fail).
export function mariadbCnf(v: HostVars) {
  return {
    path: MARIADB_CNF,
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

export const mariadbTasks = [
  aptPackages({ name: "MariaDB packages", tags: ["mariadb", "packages"], packages: ["mariadb-server", "python3-pymysql"] }),
  file({ name: "MariaDB openstack.cnf", tags: ["mariadb", "config"], notify: ["restart mariadb"], render: mariadbCnf }),
  service({ name: "MariaDB running", tags: ["mariadb", "service"], unit: "mariadb", restartedBy: "restart mariadb" }),
  flushHandlers("MariaDB ready for clients", ["restart mariadb"]),
];

export const mariadb: Playbook = {
  name: "mariadb",
  group: "controller",
  preflight: [controllerResolves],
  tasks: mariadbTasks,
  handlers: [restartHandler("restart mariadb", "mariadb")],
};
