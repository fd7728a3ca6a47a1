import { namesFact, type MysqlDbNames } from "../facts/mysql.js";
import type { HostVars } from "../inventory/vars.js";
import { noChange, type Task } from "../plan/types.js";
import { nativePasswordHash } from "./mysql.js";

export interface MysqlUserOptions extends MysqlDbNames {
  name: string;
  tags: string[];
  // The account's host part: 'localhost' or '%' in the guide.
  from: string;
  password: (vars: HostVars) => string | undefined;
}

// user@from exists, has the inventory's password, and holds ALL PRIVILEGES on db.* — each repaired alone.
export function mysqlUser(options: MysqlUserOptions): Task {
  return {
    name: options.name,
    tags: options.tags,
    facts: (vars) => [namesFact(options)(vars)],
    async check(ctx) {
      const state = await ctx.mariadb.state(options);
      const db = options.db(ctx.vars);
      const user = options.user(ctx.vars);
      const password = options.password(ctx.vars);
      if (!password) throw new Error(`no password set for database user ${user}`);
      const hash = nativePasswordHash(password);
      const account = state.accounts.get(options.from);
      const steps: string[] = [];
      if (!account) steps.push("create user");
      else if (account.plugin !== "mysql_native_password" || account.hash !== hash) steps.push("set password");
      if (!account?.allOnDb) steps.push(`grant ALL on ${db}.*`);
      if (steps.length === 0) return noChange;
      const { escape, escapeId } = await import("mysql2");
      const who = `${escape(user)}@${escape(options.from)}`;
      // The hash, not the password, is sent: MariaDB stores exactly this for IDENTIFIED BY.
      const sql = [
        `CREATE USER IF NOT EXISTS ${who} IDENTIFIED BY PASSWORD ${escape(hash)};`,
        `ALTER USER ${who} IDENTIFIED BY PASSWORD ${escape(hash)};`,
        `GRANT ALL PRIVILEGES ON ${escapeId(db)}.* TO ${who};`,
      ].join("\n");
      return {
        change: true,
        summary: `${user}@${options.from}: ${steps.join(", ")}`,
        actions: [ctx.mariadb.sql(sql)],
      };
    },
  };
}
