import type { HostVars } from "../inventory/vars.js";
import { noChange, type Task } from "../plan/types.js";
import { mysqlStateFact, runSql } from "./mysql.js";

export interface MysqlDbNames {
  db: (vars: HostVars) => string;
  user: (vars: HostVars) => string;
}

// CREATE DATABASE, once.
export function mysqlDatabase(options: MysqlDbNames & { name: string; tags: string[] }): Task {
  const fact = (vars: HostVars) => mysqlStateFact(vars, options.db(vars), options.user(vars));
  return {
    name: options.name,
    tags: options.tags,
    facts: (vars) => [fact(vars)],
    async check(ctx) {
      const state = await ctx.facts.get(fact(ctx.vars));
      if (!state.reachable) throw new Error(`MariaDB did not answer on the controller (${state.error ?? "no output"})`);
      const db = options.db(ctx.vars);
      if (state.databases.includes(db)) return noChange;
      const { escapeId } = await import("mysql2");
      return { change: true, summary: `create database ${db}`, apply: async () => void (await runSql(ctx, `CREATE DATABASE IF NOT EXISTS ${escapeId(db)};`)) };
    },
  };
}
