import { split } from "shlex";
import type { ExecResult } from "../../src/transport/types.js";
import type { Rule } from "../helpers/scriptedHost.js";

// The mysql.db privilege columns of MariaDB 10.11, in table order (what `d.*` returns after Host, Db, User).
export const DB_PRIVS = [
  "Select_priv", "Insert_priv", "Update_priv", "Delete_priv", "Create_priv", "Drop_priv", "Grant_priv",
  "References_priv", "Index_priv", "Alter_priv", "Create_tmp_table_priv", "Lock_tables_priv", "Create_view_priv",
  "Show_view_priv", "Create_routine_priv", "Alter_routine_priv", "Execute_priv", "Event_priv", "Trigger_priv",
  "Delete_history_priv",
];

export interface Account {
  plugin: string;
  hash: string;
}

// An in-memory MariaDB reached through the `mysql` client the tasks run: the few statements they send are
// interpreted (anything else is a syntax error), so a second run sees what the first one did.
export class FakeMariaDb {
  databases = new Set<string>();
  // "user@host" → account.
  accounts = new Map<string, Account>();
  // "user@host@db" → granted privilege columns.
  grants = new Map<string, string[]>();
  // db → rows of alembic_version (absent: the table does not exist).
  alembic = new Map<string, string[]>();
  // Password of the admin user, when the root account is not socket-authenticated.
  adminPassword: string | undefined;
  reachable = true;
  // SQL received on stdin by non-probe runs, in order.
  readonly statements: string[] = [];

  rules(): Rule[] {
    return [[/^(IFS= read -r MYSQL_PWD && export MYSQL_PWD && )?(mysql --batch .*)$/s, (m, stdin) => this.client(!!m[1], m[2]!, stdin)]];
  }

  // One run of the mysql client: reads MYSQL_PWD from stdin when asked to, then runs -e or stdin SQL.
  private client(readsPassword: boolean, command: string, stdin: string): Partial<ExecResult> {
    let input = stdin;
    let password: string | undefined;
    if (readsPassword) {
      const nl = input.indexOf("\n");
      // `read` fails on end of input without a newline: the && chain stops before mysql.
      if (nl < 0) return { code: 1 };
      password = input.slice(0, nl);
      input = input.slice(nl + 1);
    }
    if (!this.reachable) return { code: 1, stderr: "ERROR 2002 (HY000): Can't connect to local server through socket '/run/mysqld/mysqld.sock' (2)" };
    if (this.adminPassword !== undefined && password !== this.adminPassword) {
      return { code: 1, stderr: "ERROR 1045 (28000): Access denied for user 'root'@'localhost' (using password: YES)" };
    }
    const args = split(command);
    const e = args.indexOf("-e");
    const sql = e >= 0 ? args[e + 1]! : input;
    const columnNames = !args.includes("--skip-column-names");
    if (sql.includes("information_schema.SCHEMATA")) return { code: 0, stdout: this.stateProbe(sql) };
    const alembic = /^SELECT version_num FROM `((?:[^`]|``)+)`\.alembic_version$/.exec(sql);
    if (alembic) return this.alembicProbe(alembic[1]!.replaceAll("``", "`"), columnNames);
    this.statements.push(sql);
    return this.execute(sql);
  }

  // Answers mysqlStateFact's three tagged SELECTs; empty result sets print nothing, as `mysql --batch` does.
  private stateProbe(sql: string): string {
    const hex = (re: RegExp) => Buffer.from(re.exec(sql)![1]!, "hex").toString("utf8");
    const db = hex(/SCHEMA_NAME = X'([0-9a-f]*)'/);
    const user = hex(/User = X'([0-9a-f]*)'/);
    let out = "";
    if (this.databases.has(db)) out += `tag\tSCHEMA_NAME\nschema\t${db}\n`;
    const accounts = [...this.accounts].filter(([k]) => k.slice(0, k.lastIndexOf("@")) === user);
    if (accounts.length) {
      out += "tag\tHost\tplugin\tauthentication_string\n";
      for (const [k, a] of accounts) out += `user\t${k.slice(k.lastIndexOf("@") + 1)}\t${a.plugin}\t${a.hash}\n`;
    }
    const grants = [...this.grants].filter(([k]) => k.startsWith(`${user}@`) && k.endsWith(`@${db}`));
    if (grants.length) {
      out += `tag\tHost\tDb\tUser\t${DB_PRIVS.join("\t")}\n`;
      for (const [k, privs] of grants) {
        const host = k.slice(user.length + 1, k.length - db.length - 1);
        out += `grant\t${host}\t${db}\t${user}\t${DB_PRIVS.map((p) => (privs.includes(p) ? "Y" : "N")).join("\t")}\n`;
      }
    }
    return out;
  }

  private alembicProbe(db: string, columnNames: boolean): Partial<ExecResult> {
    if (!this.databases.has(db)) return { code: 1, stderr: `ERROR 1049 (42000): Unknown database '${db}'` };
    const rows = this.alembic.get(db);
    if (!rows) return { code: 1, stderr: `ERROR 1146 (42S02): Table '${db}.alembic_version' doesn't exist` };
    return { code: 0, stdout: (columnNames && rows.length ? "version_num\n" : "") + rows.map((r) => `${r}\n`).join("") };
  }

  // The statements the tasks send, one per line; quoting as mysql2's escape/escapeId produce it.
  private execute(sql: string): Partial<ExecResult> {
    const str = "'((?:[^'\\\\]|\\\\.)*)'";
    const id = "`((?:[^`]|``)+)`";
    const unstr = (s: string) => s.replace(/\\(.)/g, "$1");
    for (const statement of sql.split("\n").map((l) => l.trim()).filter(Boolean)) {
      let m: RegExpExecArray | null;
      if ((m = new RegExp(`^CREATE DATABASE IF NOT EXISTS ${id};$`).exec(statement))) {
        this.databases.add(m[1]!.replaceAll("``", "`"));
      } else if ((m = new RegExp(`^(CREATE USER IF NOT EXISTS|ALTER USER) ${str}@${str} IDENTIFIED BY PASSWORD ${str};$`).exec(statement))) {
        const key = `${unstr(m[2]!)}@${unstr(m[3]!)}`;
        const hash = unstr(m[4]!);
        if (!/^\*[0-9A-F]{40}$/.test(hash)) return { code: 1, stderr: "ERROR 1372 (HY000): Password hash should be a 41-digit hexadecimal number" };
        if (m[1] === "ALTER USER" && !this.accounts.has(key)) return { code: 1, stderr: `ERROR 1396 (HY000): Operation ALTER USER failed for ${key}` };
        if (m[1] === "ALTER USER" || !this.accounts.has(key)) this.accounts.set(key, { plugin: "mysql_native_password", hash });
      } else if ((m = new RegExp(`^GRANT ALL PRIVILEGES ON ${id}\\.\\* TO ${str}@${str};$`).exec(statement))) {
        const key = `${unstr(m[2]!)}@${unstr(m[3]!)}`;
        if (!this.accounts.has(key)) return { code: 1, stderr: "ERROR 1133 (28000): Can't find any matching row in the user table" };
        this.grants.set(`${key}@${m[1]!.replaceAll("``", "`")}`, DB_PRIVS.filter((p) => p !== "Grant_priv"));
      } else {
        return { code: 1, stderr: `ERROR 1064 (42000): You have an error in your SQL syntax near '${statement.slice(0, 40)}'` };
      }
    }
    return { code: 0, stdout: "" };
  }
}
