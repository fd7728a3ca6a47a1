import { quote } from "shlex";
import type { FactSpec } from "./batch.js";
import type { HostVars } from "../inventory/vars.js";
import { mysqlCommand } from "./mysql.js";

export interface AlembicState {
  // revision → the revisions it builds on (down_revision and depends_on).
  graph: Map<string, string[]>;
  // Rows of the alembic_version table ([] when the table or database is missing).
  applied: string[];
}

// Reads the installed package's migration scripts and the database's alembic_version in one probe, so
// "schema at head?" costs no Python start-up (glance-manage/keystone-manage take 1–2 s each).
export function alembicFact(vars: HostVars, db: string, versionsDir: string): FactSpec<AlembicState> {
  const ident = "`" + db.replaceAll("`", "``") + "`";
  const sql = `SELECT version_num FROM ${ident}.alembic_version`;
  return {
    key: `alembic:${db}`,
    command: `grep -rE --include='*.py' '^(revision|down_revision|depends_on) *= ' ${versionsDir}; printf '@@applied\\n'; ${mysqlCommand(vars)} --skip-column-names -e ${quote(sql)}`,
    parse: (stdout) => parseAlembic(stdout),
    // mysqlCommand reads the admin password (when set) from the first stdin line.
    ...(vars.mysql_admin_password ? { stdin: vars.mysql_admin_password + "\n" } : {}),
  };
}

// Groups `file:key = value` lines per file; values are a quoted id, a tuple of ids, or None.
export function parseAlembic(stdout: string): AlembicState {
  const [scripts = "", applied = ""] = stdout.split("@@applied\n");
  const perFile = new Map<string, { revision?: string; parents: string[] }>();
  for (const line of scripts.split("\n")) {
    const m = /^(.*?\.py):(revision|down_revision|depends_on) *= *(.*)$/.exec(line);
    if (!m) continue;
    const entry = perFile.get(m[1]!) ?? { parents: [] };
    const ids = [...m[3]!.matchAll(/['"]([^'"]+)['"]/g)].map((x) => x[1]!);
    if (m[2] === "revision") entry.revision = ids[0];
    else entry.parents.push(...ids);
    perFile.set(m[1]!, entry);
  }
  const graph = new Map<string, string[]>();
  for (const e of perFile.values()) if (e.revision) graph.set(e.revision, e.parents);
  return { graph, applied: applied.split("\n").map((l) => l.trim()).filter(Boolean) };
}
