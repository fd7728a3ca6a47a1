import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { editFile, iniSettings } from "../../src/tasks/editFile.js";
import { ScriptedHost, type HostFile } from "../helpers/scriptedHost.js";
import { assertNoSecretInCommands, assertNoSecretInResult, runTask, runTasks } from "./runTask.js";

const PATH = "/etc/keystone/keystone.conf";

// The shape of Debian's keystone.conf where the guide's two settings go: commented defaults, sqlite connection.
const debianKeystoneConf = [
  "[DEFAULT]",
  "log_dir = /var/log/keystone",
  "",
  "[database]",
  "# The SQLAlchemy connection string (string value)",
  "#connection = <None>",
  "connection = sqlite:////var/lib/keystone/keystone.db",
  "",
  "[token]",
  "# Entry point for the token provider (string value)",
  "#provider = fernet",
  "",
  "[trust]",
  "",
].join("\n");

const secret = `p'a"ss$w#rd;%&/ü`;
const connection = `mysql+pymysql://keystone:${encodeURIComponent(secret)}@controller/keystone`;
const keystoneConf = () =>
  iniSettings({
    name: "keystone.conf",
    tags: ["config"],
    path: PATH,
    notify: ["restart keystone"],
    values: () => ({ database: { connection }, token: { provider: "fernet" } }),
  });

const file = (content: string, mode = 0o640, group = "keystone"): HostFile => ({ content, mode, owner: "root", group });

describe("iniSettings: file in, edited file out", () => {
  const converged = debianKeystoneConf
    .replace("connection = sqlite:////var/lib/keystone/keystone.db", `connection = ${connection}`)
    .replace("#provider = fernet\n", "#provider = fernet\nprovider = fernet\n");
  const cases: { title: string; before?: HostFile; check?: boolean; status: string; summary?: string; diff?: RegExp[]; after?: string; error?: RegExp }[] = [
    {
      title: "package's file: connection replaced in place, provider added under its commented default",
      before: file(debianKeystoneConf),
      status: "changed",
      summary: `update ${PATH}`,
      diff: [/^-connection = sqlite:\/\/\/\/var\/lib\/keystone\/keystone\.db$/m, /^\+connection = mysql\+pymysql:\/\/keystone:\*\*\*@controller\/keystone$/m, /^\+provider = fernet$/m],
      after: converged,
    },
    { title: "already converged: ok, nothing written", before: file(converged), status: "ok" },
    {
      title: "a section missing from the file is appended",
      before: file("[DEFAULT]\nlog_dir = /var/log/keystone\n"),
      status: "changed",
      after: `[DEFAULT]\nlog_dir = /var/log/keystone\n\n[database]\nconnection = ${connection}\n\n[token]\nprovider = fernet\n`,
    },
    { title: "check mode: would update, writes nothing", before: file(debianKeystoneConf), check: true, status: "changed", summary: `update ${PATH}`, diff: [/^\+provider = fernet$/m] },
    { title: "missing file (package not installed) fails with the reason", status: "failed", error: /keystone\.conf does not exist \(is its package installed\?\)/ },
  ];
  for (const c of cases) {
    it(c.title, async () => {
      const h = new ScriptedHost("h1");
      if (c.before) h.files.set(PATH, { ...c.before });
      const result = await runTask(h, keystoneConf(), { check: c.check ?? false, vars: { keystone_db_password: secret } });
      assert.equal(result.status, c.status, JSON.stringify(result));
      if (c.summary) assert.equal(result.summary, c.summary);
      for (const d of c.diff ?? []) assert.match(result.diff ?? "", d);
      if (c.error) assert.match(result.error ?? "", c.error);
      const writes = h.writes.filter((w) => w.path === PATH);
      if (c.after === undefined) {
        assert.equal(writes.length, 0);
      } else {
        assert.equal(writes.length, 1);
        assert.equal(writes[0]!.content, c.after);
        assert.deepEqual(writes[0]!.options, { mode: 0o640, owner: "root", group: "keystone" }, "mode and owner kept");
        assert.equal((await runTask(h, keystoneConf())).status, "ok", "a second run changes nothing");
      }
      assertNoSecretInResult(result, [secret, encodeURIComponent(secret)]);
      assertNoSecretInCommands(h, [secret, encodeURIComponent(secret)]);
    });
  }

  it("notifies its handler only when it changed something", async () => {
    const h = new ScriptedHost("h1");
    h.files.set(PATH, file(debianKeystoneConf));
    const restarts: string[] = [];
    const handlers = [{ name: "restart keystone", run: async () => void restarts.push("x") }];
    await runTasks(h, [keystoneConf()], { handlers });
    await runTasks(h, [keystoneConf()], { handlers });
    assert.equal(restarts.length, 1);
  });
});

describe("editFile: pure edit of the current content", () => {
  const upper = (create?: { mode: number; owner: string; group: string }) =>
    editFile({ name: "motd", tags: [], path: "/etc/motd", edit: (text) => (text.includes("managed") ? text : text + "managed\n"), ...(create ? { create } : {}) });
  const cases: { title: string; before?: HostFile; create?: { mode: number; owner: string; group: string }; check?: boolean; status: string; summary?: string; diff?: RegExp; write?: { content: string; mode: number; owner: string; group: string } }[] = [
    { title: "edit appends: update keeps mode and owner", before: file("hello\n", 0o644, "adm"), status: "changed", summary: "update /etc/motd", diff: /^\+managed$/m, write: { content: "hello\nmanaged\n", mode: 0o644, owner: "root", group: "adm" } },
    { title: "edit is a no-op: ok", before: file("hello\nmanaged\n", 0o644, "adm"), status: "ok" },
    { title: "missing file with create: created with the given ownership", create: { mode: 0o600, owner: "root", group: "root" }, status: "changed", summary: "create /etc/motd", diff: /^--- \/dev\/null$/m, write: { content: "managed\n", mode: 0o600, owner: "root", group: "root" } },
    { title: "empty existing file is edited, not created", before: file("", 0o644, "root"), create: { mode: 0o600, owner: "root", group: "root" }, status: "changed", summary: "update /etc/motd", write: { content: "managed\n", mode: 0o644, owner: "root", group: "root" } },
    { title: "check mode on a missing file with create: would create", create: { mode: 0o600, owner: "root", group: "root" }, check: true, status: "changed", summary: "create /etc/motd" },
  ];
  for (const c of cases) {
    it(c.title, async () => {
      const h = new ScriptedHost("h1");
      if (c.before) h.files.set("/etc/motd", { ...c.before });
      const result = await runTask(h, upper(c.create), { check: c.check ?? false });
      assert.equal(result.status, c.status, JSON.stringify(result));
      if (c.summary) assert.equal(result.summary, c.summary);
      if (c.diff) assert.match(result.diff ?? "", c.diff);
      const writes = h.writes.filter((w) => w.path === "/etc/motd");
      if (!c.write) return assert.equal(writes.length, 0);
      assert.equal(writes.length, 1);
      assert.deepEqual({ content: writes[0]!.content, ...writes[0]!.options }, c.write);
      assert.equal((await runTask(h, upper(c.create))).status, "ok", "a second run changes nothing");
    });
  }
});
