import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mysqlDatabase } from "../../src/tasks/mysqlDatabase.js";
import { ScriptedHost } from "../helpers/scriptedHost.js";
import { FakeMariaDb } from "./mysqlFake.js";
import { assertNoSecretInCommands, runTask } from "./runTask.js";

const task = () => mysqlDatabase({ name: "Glance database", tags: ["database"], db: (v) => v.glance_db_name, user: (v) => v.glance_db_user });

const cases: {
  title: string;
  databases: string[];
  vars?: Record<string, unknown>;
  adminPassword?: string;
  reachable?: boolean;
  check?: boolean;
  status: string;
  summary?: string;
  error?: RegExp;
  sql?: string;
}[] = [
  { title: "missing: created", databases: [], status: "changed", summary: "create database glance", sql: "CREATE DATABASE IF NOT EXISTS `glance`;" },
  { title: "present: ok", databases: ["glance"], status: "ok" },
  { title: "another database of the same prefix does not count", databases: ["glance_old", "keystone"], status: "changed", sql: "CREATE DATABASE IF NOT EXISTS `glance`;" },
  { title: "odd name is quoted as an identifier", databases: [], vars: { glance_db_name: "gl`ance-db" }, status: "changed", summary: "create database gl`ance-db", sql: "CREATE DATABASE IF NOT EXISTS `gl``ance-db`;" },
  { title: "check mode: would create, no SQL", databases: [], check: true, status: "changed", summary: "create database glance" },
  { title: "MariaDB down: fails saying so", databases: [], reachable: false, status: "failed", error: /MariaDB did not answer on the database host h1/ },
  { title: "admin password: probe and statement authenticate through stdin", databases: [], vars: { mysql_admin_password: "r00t-Secret" }, adminPassword: "r00t-Secret", status: "changed", sql: "CREATE DATABASE IF NOT EXISTS `glance`;" },
  { title: "admin password present and database present: ok", databases: ["glance"], vars: { mysql_admin_password: "r00t-Secret" }, adminPassword: "r00t-Secret", status: "ok" },
];

describe("mysqlDatabase: schemata in, CREATE DATABASE out", () => {
  for (const c of cases) {
    it(c.title, async () => {
      const db = new FakeMariaDb();
      c.databases.forEach((d) => db.databases.add(d));
      db.reachable = c.reachable ?? true;
      db.adminPassword = c.adminPassword;
      const h = new ScriptedHost("h1", db.rules());
      const result = await runTask(h, task(), { check: c.check ?? false, vars: c.vars ?? {} });
      assert.equal(result.status, c.status, JSON.stringify(result));
      if (c.summary) assert.equal(result.summary, c.summary);
      if (c.error) assert.match(result.error ?? "", c.error);
      assert.deepEqual(db.statements, c.sql ? [c.sql] : []);
      if (c.adminPassword) {
        assertNoSecretInCommands(h, [c.adminPassword]);
        for (const call of h.calls.filter((x) => x.command.includes("mysql "))) assert.ok(call.stdin.startsWith(`${c.adminPassword}\n`), "password is the first stdin line");
      }
      if (c.status === "changed" && !c.check) assert.equal((await runTask(h, task(), { vars: c.vars ?? {} })).status, "ok", "a second run changes nothing");
    });
  }
});
