import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { mysqlUser } from "../../src/tasks/mysqlUser.js";
import { ScriptedHost } from "../helpers/scriptedHost.js";
import { DB_PRIVS, FakeMariaDb, type Account } from "./mysqlFake.js";
import { assertNoSecretInCommands, assertNoSecretInResult, runTask } from "./runTask.js";

const PASS = `GL4NCE'pa"ss\\$x;#%ü`;
// The hash MariaDB must hold for a password PyMySQL sends: SHA1(SHA1(Latin-1 bytes)), upper-case hex after '*'.
const hashOf = (p: string) => "*" + createHash("sha1").update(createHash("sha1").update(Buffer.from(p, "latin1")).digest()).digest("hex").toUpperCase();
const ALL = DB_PRIVS.filter((p) => p !== "Grant_priv");

const task = (from: string) =>
  mysqlUser({ name: `Glance database user @${from}`, tags: ["database"], db: (v) => v.glance_db_name, user: (v) => v.glance_db_user, from, password: (v) => v.glance_db_password });

const cases: {
  title: string;
  from?: string;
  accounts?: [string, Account][];
  grants?: [string, string[]][];
  vars?: Record<string, unknown>;
  check?: boolean;
  status: string;
  summary?: string;
  error?: RegExp;
  sends: boolean;
}[] = [
  { title: "nothing exists: create and grant", status: "changed", summary: "glance@localhost: create user, grant ALL on glance.*", sends: true },
  { title: "@% is its own account", from: "%", accounts: [["glance@localhost", { plugin: "mysql_native_password", hash: hashOf(PASS) }]], grants: [["glance@localhost@glance", ALL]], status: "changed", summary: "glance@%: create user, grant ALL on glance.*", sends: true },
  { title: "right hash and all privileges: ok", accounts: [["glance@localhost", { plugin: "mysql_native_password", hash: hashOf(PASS) }]], grants: [["glance@localhost@glance", ALL]], status: "ok", sends: false },
  { title: "password changed in the inventory: set password only", accounts: [["glance@localhost", { plugin: "mysql_native_password", hash: hashOf("old") }]], grants: [["glance@localhost@glance", ALL]], status: "changed", summary: "glance@localhost: set password", sends: true },
  { title: "same hash under another plugin: set password", accounts: [["glance@localhost", { plugin: "ed25519", hash: hashOf(PASS) }]], grants: [["glance@localhost@glance", ALL]], status: "changed", summary: "glance@localhost: set password", sends: true },
  { title: "grant missing: grant only", accounts: [["glance@localhost", { plugin: "mysql_native_password", hash: hashOf(PASS) }]], status: "changed", summary: "glance@localhost: grant ALL on glance.*", sends: true },
  { title: "partial grant (SELECT only): grant", accounts: [["glance@localhost", { plugin: "mysql_native_password", hash: hashOf(PASS) }]], grants: [["glance@localhost@glance", ["Select_priv"]]], status: "changed", summary: "glance@localhost: grant ALL on glance.*", sends: true },
  { title: "grant on another database does not count", accounts: [["glance@localhost", { plugin: "mysql_native_password", hash: hashOf(PASS) }]], grants: [["glance@localhost@keystone", ALL]], status: "changed", summary: "glance@localhost: grant ALL on glance.*", sends: true },
  { title: "check mode: would create, no SQL", check: true, status: "changed", summary: "glance@localhost: create user, grant ALL on glance.*", sends: false },
  { title: "no password in the inventory: fails", vars: { glance_db_password: undefined }, status: "failed", error: /no password set for database user glance/, sends: false },
  { title: "odd user name is escaped", vars: { glance_db_user: "gl'ance" }, status: "changed", summary: "gl'ance@localhost: create user, grant ALL on glance.*", sends: true },
];

describe("mysqlUser: accounts and grants in, SQL on stdin out", () => {
  for (const c of cases) {
    it(c.title, async () => {
      const from = c.from ?? "localhost";
      const db = new FakeMariaDb();
      db.databases.add("glance");
      for (const [k, a] of c.accounts ?? []) db.accounts.set(k, { ...a });
      for (const [k, g] of c.grants ?? []) db.grants.set(k, g);
      const h = new ScriptedHost("h1", db.rules());
      const vars = { glance_db_password: PASS, ...c.vars };
      const result = await runTask(h, task(from), { check: c.check ?? false, vars });
      assert.equal(result.status, c.status, JSON.stringify(result));
      if (c.summary) assert.equal(result.summary, c.summary);
      if (c.error) assert.match(result.error ?? "", c.error);
      assert.equal(db.statements.length, c.sends ? 1 : 0, db.statements.join("\n---\n"));
      for (const sql of db.statements) {
        assert.ok(sql.includes(`IDENTIFIED BY PASSWORD '${hashOf(PASS)}'`), sql);
        assert.ok(!sql.includes(PASS) && !sql.includes("GL4NCE"), "the plain password never reaches the host");
      }
      for (const call of h.calls) assert.ok(!call.stdin.includes("GL4NCE"), "nor on any stdin");
      assertNoSecretInCommands(h, [PASS, hashOf(PASS)]);
      assertNoSecretInResult(result, [PASS, hashOf(PASS)]);
      if (c.sends) {
        const user = (c.vars?.glance_db_user as string | undefined) ?? "glance";
        assert.deepEqual(db.accounts.get(`${user}@${from}`), { plugin: "mysql_native_password", hash: hashOf(PASS) });
        assert.deepEqual(db.grants.get(`${user}@${from}@glance`), ALL);
        assert.equal((await runTask(h, task(from), { vars })).status, "ok", "a second run changes nothing");
      }
    });
  }
});
