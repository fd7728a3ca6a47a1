import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alembicAtHead, alembicFact, alembicReason, parseAlembic } from "../../src/tasks/alembic.js";
import { command } from "../../src/tasks/command.js";
import { ScriptedHost, type Rule } from "../helpers/scriptedHost.js";
import { FakeMariaDb } from "./mysqlFake.js";
import { assertNoSecretInCommands, runTask } from "./runTask.js";

const GLANCE_DIR = "/usr/lib/python3/dist-packages/glance/db/sqlalchemy/alembic_migrations/versions";
const KEYSTONE_DIR = "/usr/lib/python3/dist-packages/keystone/common/sql/migrations/versions";

// [file, revision, down_revision, depends_on] of the scripts glance 22–25 (Wallaby to Zed) ships.
const glanceScripts: [string, string, string | null, string | null][] = [
  ["liberty_initial.py", "liberty", null, null],
  ["mitaka01_add_image_created_updated_idx.py", "mitaka01", "liberty", null],
  ["mitaka02_update_metadef_os_nova_server.py", "mitaka02", "mitaka01", null],
  ["ocata_expand01_add_visibility.py", "ocata_expand01", "mitaka02", null],
  ["ocata_contract01_drop_is_public.py", "ocata_contract01", "mitaka02", "ocata_expand01"],
  ["pike_expand01_empty.py", "pike_expand01", "ocata_expand01", null],
  ["pike_contract01_drop_artifacts_tables.py", "pike_contract01", "ocata_contract01", "pike_expand01"],
  ["queens_expand01_empty.py", "queens_expand01", "pike_expand01", null],
  ["queens_contract01_empty.py", "queens_contract01", "pike_contract01", "queens_expand01"],
  ["rocky_expand01_add_os_hidden.py", "rocky_expand01", "queens_expand01", null],
  ["rocky_expand02_add_os_hash_.py", "rocky_expand02", "rocky_expand01", null],
  ["rocky_contract01_empty.py", "rocky_contract01", "queens_contract01", "rocky_expand01"],
  ["rocky_contract02_empty.py", "rocky_contract02", "rocky_contract01", "rocky_expand02"],
  ["train_expand01_empty.py", "train_expand01", "rocky_expand02", null],
  ["train_contract01_empty.py", "train_contract01", "rocky_contract02", "train_expand01"],
  ["ussuri_expand01_empty.py", "ussuri_expand01", "train_expand01", null],
  ["ussuri_contract01_empty.py", "ussuri_contract01", "train_contract01", "ussuri_expand01"],
  ["wallaby_expand01_add_user_imageid_requestid_to_tasks.py", "wallaby_expand01", "ussuri_expand01", null],
  ["wallaby_contract01_empty.py", "wallaby_contract01", "ussuri_contract01", "wallaby_expand01"],
];

// Keystone 22 (Zed): the initial revision and the two branches' initial no-ops in subdirectories.
const keystoneScripts: [string, string, string | null, string | null][] = [
  ["27e647c0fad4_initial_version.py", "27e647c0fad4", null, null],
  ["yoga/contract/e25ffa003242_initial.py", "e25ffa003242", "27e647c0fad4", null],
  ["yoga/expand/29e87d24a316_initial.py", "29e87d24a316", "27e647c0fad4", null],
];

const py = (v: string | null) => (v === null ? "None" : `'${v}'`);
// The script's real header lines (docstring and branch_labels included), as they sit in the installed files.
function scriptText([file, rev, down, dep]: [string, string, string | null, string | null]): string {
  return [
    `"""${rev}\n\nRevision ID: ${rev}\nRevises: ${down ?? ""}\n"""`,
    "from alembic import op",
    "# revision identifiers, used by Alembic.",
    `revision = '${rev}'`,
    `down_revision = ${py(down)}`,
    "branch_labels = None",
    // Keystone's branch scripts (in subdirectories) have no depends_on line at all.
    ...(dep === null && file.includes("/") ? [] : [`depends_on = ${py(dep)}`]),
    "",
    "def upgrade():",
    "    pass",
    "",
  ].join("\n");
}

// What `grep -rE --include='*.py' '^(revision|down_revision|depends_on) *= ' DIR` prints for these scripts.
function grepOutput(dir: string, scripts: typeof glanceScripts): string {
  return scripts
    .flatMap((s) => scriptText(s).split("\n").filter((l) => /^(revision|down_revision|depends_on) *= /.test(l)).map((l) => `${dir}/${s[0]}:${l}`))
    .join("\n") + "\n";
}

const probe = (dir: string, scripts: typeof glanceScripts, applied: string[]) => `${grepOutput(dir, scripts)}@@applied\n${applied.map((a) => `${a}\n`).join("")}`;

describe("parseAlembic: grep lines and alembic_version rows", () => {
  it("glance: every revision with its down_revision and depends_on", () => {
    const state = parseAlembic(probe(GLANCE_DIR, glanceScripts, ["wallaby_contract01"]));
    assert.equal(state.graph.size, glanceScripts.length);
    assert.deepEqual(state.graph.get("wallaby_contract01"), ["ussuri_contract01", "wallaby_expand01"]);
    assert.deepEqual(state.graph.get("liberty"), []);
    assert.deepEqual(state.applied, ["wallaby_contract01"]);
  });

  it("keystone: scripts in subdirectories are read", () => {
    const state = parseAlembic(probe(KEYSTONE_DIR, keystoneScripts, ["29e87d24a316", "e25ffa003242"]));
    assert.deepEqual([...state.graph.keys()].sort(), ["27e647c0fad4", "29e87d24a316", "e25ffa003242"]);
    assert.deepEqual(state.graph.get("e25ffa003242"), ["27e647c0fad4"]);
  });

  it("tuples, double quotes and several depends_on ids", () => {
    const state = parseAlembic(["/v/a.py:revision = \"a1\"", "/v/a.py:down_revision = ('b1', 'c1')", "/v/a.py:depends_on = ('d1',)", "@@applied", ""].join("\n"));
    assert.deepEqual(state.graph.get("a1"), ["b1", "c1", "d1"]);
    assert.deepEqual(state.applied, []);
  });

  it("no scripts and no table (package missing, database empty)", () => {
    const state = parseAlembic("@@applied\n");
    assert.equal(state.graph.size, 0);
    assert.deepEqual(state.applied, []);
  });
});

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
