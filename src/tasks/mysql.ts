import { createHash } from "node:crypto";
import { mysqlCommand, namesFact, type MysqlDbNames, type MysqlState } from "../facts/mysql.js";
import { exec, type Action } from "../plan/actions.js";
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

// MariaDB's administrative client on the host a task runs on (the database host, for `once` database tasks),
// built once per host per play: the admin's credentials stay inside it, tasks hand it statements.
export class MariadbAdmin {
  constructor(
    private readonly ctx: Pick<TaskContext, "vars" | "facts" | "host">,
  ) {}

  // SQL through the host's `mysql` client; the statement (and the admin password, if any) travel on stdin. The
  // SQL carries password hashes only (registered with the redactor), never a password: reports may show it.
  sql(statement: string): Action {
    const vars = this.ctx.vars;
    const stdin = (vars.mysql_admin_password ? vars.mysql_admin_password + "\n" : "") + statement;
    return exec(mysqlCommand(vars), { stdin, stdinShown: statement, what: "mysql" });
  }

  // The probe's answer for a database and user, failing clearly when MariaDB itself does not answer.
  async state(names: MysqlDbNames): Promise<MysqlState> {
    const state = await this.ctx.facts.get(namesFact(names)(this.ctx.vars));
    if (!state.reachable) throw new Error(`MariaDB did not answer on the database host ${this.ctx.host.name} (${state.error ?? "no output"}); database_host names where database work runs`);
    return state;
  }
}
