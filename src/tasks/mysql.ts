import { createHash } from "node:crypto";
import { mysqlCommand, namesFact, type MysqlDbNames, type MysqlState } from "../facts/mysql.js";
import { exec, type Action } from "../plan/actions.js";
import type { HostVars } from "../inventory/vars.js";
import type { TaskContext } from "../plan/types.js";
import { redactor } from "../secrets/redactor.js";

// MariaDB's mysql_native_password hash, computed here so the password itself never has to reach the host.
// Over the Latin-1 bytes: that is what PyMySQL (the services' driver) sends (the loader rejects anything wider).
export function nativePasswordHash(password: string): string {
  const once = createHash("sha1").update(Buffer.from(password, "latin1")).digest();
  const hash = "*" + createHash("sha1").update(once).digest("hex").toUpperCase();
  redactor.add(hash);
  return hash;
}

// SQL for the database host's client; the statement (and the admin password, if any) travel on stdin.
export function sqlAction(vars: HostVars, sql: string): Action {
  const stdin = (vars.mysql_admin_password ? vars.mysql_admin_password + "\n" : "") + sql;
  // The SQL carries password hashes only (registered with the redactor), never a password: it may be shown.
  return exec(mysqlCommand(vars), { stdin, stdinShown: sql, what: "mysql" });
}

// The probe's answer for a task, failing clearly when MariaDB itself does not answer.
export async function readMysqlState(ctx: TaskContext, names: MysqlDbNames): Promise<MysqlState> {
  const state = await ctx.facts.get(namesFact(names)(ctx.vars));
  if (!state.reachable) throw new Error(`MariaDB did not answer on the database host ${ctx.host.name} (${state.error ?? "no output"}); database_host names where database work runs`);
  return state;
}
