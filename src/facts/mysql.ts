import type { FactSpec } from "./batch.js";
import type { HostVars } from "../inventory/vars.js";

// SQL goes to the controller's own `mysql` client on stdin: socket auth as root (through sudo when the
// SSH user is not root) needs no password, and nothing secret is ever on a command line.
// It lives with the facts because the probes (database state, schema version, password records) run it too.
export function mysqlCommand(vars: HostVars): string {
  const client = `mysql --batch --column-names --connect-timeout=5 -u ${shellWord(vars.mysql_admin_user)}`;
  // With an admin password, the first stdin line becomes MYSQL_PWD through the shell's own `read`.
  return vars.mysql_admin_password ? `IFS= read -r MYSQL_PWD && export MYSQL_PWD && ${client}` : client;
}

function shellWord(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

// Hex literals need no escaping at all, so probes can name anything the inventory allows.
export function sqlHex(value: string): string {
  return `X'${Buffer.from(value, "utf8").toString("hex")}'`;
}

export interface MysqlAccount {
  host: string;
  plugin: string;
  hash: string;
  // ALL PRIVILEGES on the database (every *_priv column but Grant_priv set).
  allOnDb: boolean;
}

export interface MysqlState {
  reachable: boolean;
  error?: string;
  databases: string[];
  accounts: Map<string, MysqlAccount>;
}

// One query answers: does the database exist, which accounts of the user exist, with which hash and grants.
export function mysqlStateFact(vars: HostVars, db: string, user: string): FactSpec<MysqlState> {
  const sql = [
    `SELECT 'schema' AS tag, SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ${sqlHex(db)};`,
    `SELECT 'user' AS tag, Host, plugin, authentication_string FROM mysql.user WHERE User = ${sqlHex(user)};`,
    `SELECT 'grant' AS tag, d.* FROM mysql.db d WHERE d.Db = ${sqlHex(db)} AND d.User = ${sqlHex(user)};`,
  ].join(" ");
  const base: Omit<FactSpec<MysqlState>, "command"> = {
    key: `mysql:${db}:${user}`,
    parse: (stdout, code) => parseMysqlState(stdout, code),
  };
  // Socket auth needs no secret, so the probe can join the batch; with a password it runs on its own.
  if (vars.mysql_admin_password) {
    return { ...base, command: mysqlCommand(vars), stdin: vars.mysql_admin_password + "\n" + sql };
  }
  return { ...base, command: `${mysqlCommand(vars)} -e ${shellWord(sql)}` };
}

export interface MysqlDbNames {
  db: (vars: HostVars) => string;
  user: (vars: HostVars) => string;
}

// The probe a database or account task reads (one per database+user, shared through the fact store).
export function namesFact(names: MysqlDbNames): (vars: HostVars) => FactSpec<MysqlState> {
  return (vars) => mysqlStateFact(vars, names.db(vars), names.user(vars));
}

// Parses tagged result sets of `mysql --batch --column-names` (each set starts with its header line).
export function parseMysqlState(stdout: string, code: number): MysqlState {
  const state: MysqlState = { reachable: code === 0, databases: [], accounts: new Map() };
  if (code !== 0) {
    state.error = stdout.trim() || `mysql exited ${code}`;
    return state;
  }
  let header: string[] = [];
  const grants = new Map<string, boolean>();
  for (const line of stdout.split("\n")) {
    if (!line) continue;
    const cols = line.split("\t");
    if (cols[0] === "tag") {
      header = cols;
      continue;
    }
    const row = Object.fromEntries(header.map((h, i) => [h, cols[i] ?? ""]));
    if (row.tag === "schema") state.databases.push(row.SCHEMA_NAME!);
    if (row.tag === "user") state.accounts.set(row.Host!, { host: row.Host!, plugin: row.plugin!, hash: row.authentication_string!, allOnDb: false });
    if (row.tag === "grant") {
      const privs = header.filter((h) => h.endsWith("_priv") && h !== "Grant_priv");
      grants.set(row.Host!, privs.length > 0 && privs.every((p) => row[p] === "Y"));
    }
  }
  for (const [host, all] of grants) {
    const account = state.accounts.get(host);
    if (account) account.allOnDb = all;
  }
  return state;
}
