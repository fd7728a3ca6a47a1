import { namesFact, type MysqlDbNames } from "../facts/mysql.js";
import { noChange, type Task } from "../plan/types.js";

// CREATE DATABASE, once.
export function mysqlDatabase(options: MysqlDbNames & { name: string; tags: string[] }): Task {
  return {
    name: options.name,
    tags: options.tags,
    facts: (vars) => [namesFact(options)(vars)],
    async check(ctx) {
      const state = await ctx.mariadb.state(options);
      const db = options.db(ctx.vars);
      if (state.databases.includes(db)) return noChange;
      const { escapeId } = await import("mysql2");
      return { change: true, summary: `create database ${db}`, actions: [ctx.mariadb.sql(`CREATE DATABASE IF NOT EXISTS ${escapeId(db)};`)] };
    },
  };
}
