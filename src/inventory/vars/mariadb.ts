import { port, text, type VarSpec } from "./schemas.js";

// The MariaDB server itself; each service's own database, user and password live in that service's section.
export const mariadbVars = {
  mysql_admin_user: { schema: text, default: "root", doc: "MariaDB administrative user (socket auth when no password is set)." },
  mysql_admin_password: { schema: text, secret: true, doc: "Password of the MariaDB admin user; leave unset for unix-socket auth as root." },
  mysql_port: { schema: port, default: 3306, doc: "MariaDB port." },
} satisfies Record<string, VarSpec>;
