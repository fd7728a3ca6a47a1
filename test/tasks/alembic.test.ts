import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alembicFact, parseAlembic } from "../../src/facts/alembic.js";
import { alembicAtHead, alembicReason } from "../../src/tasks/alembic.js";
import { command } from "../../src/tasks/command.js";
import { GLANCE_DIR, glanceScripts, keystoneScripts, probe, scriptText } from "../helpers/alembicScripts.js";
import { ScriptedHost, type Rule } from "../helpers/scriptedHost.js";
import { FakeMariaDb } from "./mysqlFake.js";
import { assertNoSecretInCommands, runTask } from "./runTask.js";

describe("alembicAtHead / alembicReason", () => {
  const cases: { title: string; scripts: typeof glanceScripts; applied: string[]; atHead: boolean; reason?: RegExp }[] = [
    { title: "glance synced: only wallaby_contract01 in the table (depends_on covers the expand branch)", scripts: glanceScripts, applied: ["wallaby_contract01"], atHead: true },
    { title: "glance one release behind", scripts: glanceScripts, applied: ["ussuri_contract01"], atHead: false, reason: /^schema at ussuri_contract01, not at head$/ },
    { title: "glance expanded but not contracted", scripts: glanceScripts, applied: ["wallaby_expand01", "ussuri_contract01"], atHead: false, reason: /not at head/ },
    { title: "glance legacy chain before expand/contract", scripts: glanceScripts, applied: ["mitaka02"], atHead: false, reason: /^schema at mitaka02, not at head$/ },
    { title: "glance database empty", scripts: glanceScripts, applied: [], atHead: false, reason: /^schema not created$/ },
    { title: "keystone synced: both branch heads in the table", scripts: keystoneScripts, applied: ["29e87d24a316", "e25ffa003242"], atHead: true },
    { title: "keystone synced, rows in the other order", scripts: keystoneScripts, applied: ["e25ffa003242", "29e87d24a316"], atHead: true },
    { title: "keystone expand only", scripts: keystoneScripts, applied: ["29e87d24a316"], atHead: false, reason: /^schema at 29e87d24a316, not at head$/ },
    { title: "keystone initial only", scripts: keystoneScripts, applied: ["27e647c0fad4"], atHead: false },
    { title: "scripts missing (package not installed yet)", scripts: [], applied: ["wallaby_contract01"], atHead: false, reason: /^migration scripts not found/ },
    { title: "nothing at all", scripts: [], applied: [], atHead: false, reason: /^migration scripts not found/ },
    { title: "database newer than the scripts (unknown row) still covers them", scripts: keystoneScripts, applied: ["29e87d24a316", "e25ffa003242", "ffffffffffff"], atHead: true },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const state = parseAlembic(probe(GLANCE_DIR, c.scripts, c.applied));
      assert.equal(alembicAtHead(state), c.atHead);
      const reason = alembicReason(state);
      if (c.atHead) assert.equal(reason, undefined);
      else assert.match(reason ?? "", c.reason ?? /./);
    });
  }
});

// A host with migration scripts installed under dir and the database's alembic_version rows.
function schemaHost(dir: string, scripts: typeof glanceScripts, db: FakeMariaDb): ScriptedHost {
  const h = new ScriptedHost("h1", [
    [/^grep -rE --include='\*\.py' '\^\(revision\|down_revision\|depends_on\) \*= ' (\S+); printf '@@applied\\n'; (.*)$/s, (m, stdin, host) => {
      const lines = [...host.files]
        .filter(([p]) => p.startsWith(`${m[1]}/`) && p.endsWith(".py"))
        .flatMap(([p, f]) => f.content.split("\n").filter((l) => /^(revision|down_revision|depends_on) *= /.test(l)).map((l) => `${p}:${l}\n`));
      // The mysql part runs after grep and printf in the same shell, with the same stdin.
      const sql = db.rules()[0]![1];
      const mysqlPart = m[2]!.match(/^(IFS= read -r MYSQL_PWD && export MYSQL_PWD && )?(mysql --batch .*)$/s)!;
      const r = sql(mysqlPart, stdin, host);
      const out = typeof r === "string" ? r : r.stdout ?? "";
      return lines.join("") + "@@applied\n" + out;
    }],
    ...db.rules(),
    [/^su -s \/bin\/sh -c "(glance|keystone)-manage db_sync" (glance|keystone)$/, (m) => {
      if (!db.databases.has(m[1]!)) return { code: 1, stderr: `oslo_db.exception.DBNonExistentDatabase: (1049, "Unknown database '${m[1]}'")` };
      db.alembic.set(m[1]!, heads(scripts));
      return "";
    }],
  ]);
  for (const s of scripts) h.files.set(`${dir}/${s[0]}`, { content: scriptText(s), mode: 0o644, owner: "root", group: "root" });
  return h;
}

// What a full db_sync leaves in alembic_version: the revisions nothing else builds on.
function heads(scripts: typeof glanceScripts): string[] {
  const parents = new Set(scripts.flatMap(([, , d, p]) => [d, p].filter((x): x is string => x !== null)));
  return scripts.map(([, r]) => r).filter((r) => !parents.has(r)).sort();
}

const dbSync = () =>
  command({
    name: "Glance schema at head (glance-manage db_sync)",
    tags: ["database"],
    fact: (v) => alembicFact(v, v.glance_db_name, GLANCE_DIR),
    needed: (state) => alembicReason(state),
    command: () => `su -s /bin/sh -c "glance-manage db_sync" glance`,
    timeoutMs: 600_000,
  });

describe("db_sync through the alembic fact (batched probe)", () => {
  const cases: { title: string; applied?: string[]; database?: boolean; vars?: Record<string, unknown>; adminPassword?: string; status: string; summary?: RegExp; error?: RegExp }[] = [
    { title: "synced: ok, no db_sync", applied: ["wallaby_contract01"], status: "ok" },
    { title: "behind: db_sync runs once", applied: ["ussuri_contract01"], status: "changed", summary: /^schema at ussuri_contract01, not at head$/ },
    { title: "table missing: db_sync", status: "changed", summary: /^schema not created$/ },
    { title: "database missing: db_sync is tried and its failure reported", database: false, status: "failed", error: /glance-manage db_sync\) exited 1: .*Unknown database 'glance'/ },
    { title: "synced, admin password set: ok (the probe still reads the table)", applied: ["wallaby_contract01"], vars: { mysql_admin_password: "r00t-Secret" }, adminPassword: "r00t-Secret", status: "ok" },
  ];
  for (const c of cases) {
    it(c.title, async () => {
      const db = new FakeMariaDb();
      if (c.database !== false) db.databases.add("glance");
      if (c.applied) db.alembic.set("glance", c.applied);
      db.adminPassword = c.adminPassword;
      const h = schemaHost(GLANCE_DIR, glanceScripts, db);
      const result = await runTask(h, dbSync(), { vars: c.vars ?? {} });
      assert.equal(result.status, c.status, JSON.stringify(result));
      if (c.summary) assert.match(result.summary ?? "", c.summary);
      if (c.error) assert.match(result.error ?? "", c.error);
      const syncs = h.calls.filter((x) => x.command.includes("db_sync"));
      assert.equal(syncs.length, c.status === "ok" ? 0 : 1);
      if (syncs[0]) assert.equal(syncs[0].timeoutMs, 600_000);
      if (c.adminPassword) assertNoSecretInCommands(h, [c.adminPassword]);
      if (c.status === "changed") {
        assert.deepEqual(db.alembic.get("glance"), ["wallaby_contract01"], "the fake's db_sync leaves glance's real head");
        assert.equal((await runTask(h, dbSync(), { vars: c.vars ?? {} })).status, "ok", "a second run changes nothing");
      }
    });
  }
});
