import { alembicFact, type AlembicState } from "../facts/alembic.js";
import type { HostVars } from "../inventory/vars.js";
import type { Task } from "../plan/types.js";
import { command } from "./command.js";

// At head when every known revision is applied or an ancestor (or dependency) of an applied one.
export function alembicAtHead(state: AlembicState): boolean {
  if (state.graph.size === 0 || state.applied.length === 0) return false;
  const reached = new Set<string>();
  const stack = [...state.applied];
  while (stack.length) {
    const rev = stack.pop()!;
    if (reached.has(rev)) continue;
    reached.add(rev);
    stack.push(...(state.graph.get(rev) ?? []));
  }
  return [...state.graph.keys()].every((rev) => reached.has(rev));
}

// Why the schema needs a sync, for the report.
export function alembicReason(state: AlembicState): string | undefined {
  if (alembicAtHead(state)) return undefined;
  if (state.graph.size === 0) return "migration scripts not found (package not installed yet)";
  return state.applied.length ? `schema at ${state.applied.join(",")}, not at head` : "schema not created";
}

// `<service>-manage db_sync` as the service's own user (glance, keystone), only when the database is not at the
// head of the migration scripts the installed package ships (`migrations`, from the release profile).
export function schemaSync(service: string, db: (v: HostVars) => string, migrations: (v: HostVars) => string): Task {
  const title = service[0]!.toUpperCase() + service.slice(1);
  return command({
    name: `${title} schema at head (${service}-manage db_sync)`,
    tags: [service, "database"],
    fact: (v) => alembicFact(v, db(v), migrations(v)),
    needed: (state) => alembicReason(state),
    command: () => `su -s /bin/sh -c "${service}-manage db_sync" ${service}`,
    timeoutMs: 600_000,
  });
}
