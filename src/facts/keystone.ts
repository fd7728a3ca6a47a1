import { quote } from "shlex";
import type { FactSpec } from "./batch.js";
import type { HostVars } from "../inventory/vars.js";
import { mysqlCommand, sqlHex } from "./mysql.js";

export interface KeystoneUserRow {
  // Keystone's database could be read on this host.
  readable: boolean;
  exists: boolean;
  error?: string;
}

// Whether Keystone's database holds a local user of that name in the domain: Keystone answers a failed login
// with the same 401 for "no such user" and "wrong password", and only the first is safe to bootstrap over.
// Read through the host's own MariaDB client, like the password records (the identity node is the database
// host unless database_host says otherwise).
export function keystoneUserRowFact(vars: HostVars, user: string): FactSpec<KeystoneUserRow> {
  const db = "`" + vars.keystone_db_name.replaceAll("`", "``") + "`";
  const sql = `SELECT COUNT(*) FROM ${db}.local_user WHERE name = ${sqlHex(user)} AND domain_id = ${sqlHex(vars.keystone_domain)}`;
  const base = {
    key: `keystone:user-row:${vars.keystone_domain}/${user}`,
    parse(stdout: string, code: number): KeystoneUserRow {
      const count = /^(\d+)\s*$/.exec(stdout.trim().split("\n").at(-1) ?? "")?.[1];
      if (code !== 0 || count === undefined) return { readable: false, exists: false, error: stdout.trim().split("\n").at(-1) || `mysql exited ${code}` };
      return { readable: true, exists: Number(count) > 0 };
    },
  };
  // Errors on stdout, so the reason reaches the message.
  const client = `${mysqlCommand(vars)} --skip-column-names`;
  if (vars.mysql_admin_password) return { ...base, command: `${client} 2>&1`, stdin: `${vars.mysql_admin_password}\n${sql}` };
  return { ...base, command: `${client} -e ${quote(sql)} 2>&1` };
}
