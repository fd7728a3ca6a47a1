import type { AlembicState } from "../facts/alembic.js";

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
