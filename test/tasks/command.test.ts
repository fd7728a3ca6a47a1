import { call } from "../../src/plan/actions.js";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { command } from "../../src/tasks/command.js";
import { ScriptedHost, type Rule } from "../helpers/scriptedHost.js";
import { assertNoSecretInCommands, assertNoSecretInResult, runTask, runTasks } from "./runTask.js";

const KEY = "/etc/keystone/fernet-keys/0";
const SECRET = "b00tstrap-S3cret";

// `test -e` against the host's files, and the converging command creating what the fact looks for.
function keysHost(setupExit = 0): ScriptedHost {
  const rules: Rule[] = [
    [/^test -e (\S+)$/, (m, _s, h) => ({ code: h.files.has(m[1]!) ? 0 : 1 })],
    [/^IFS= read -r OS_SECRET && export OS_SECRET && keystone-manage fernet_setup --keystone-user keystone --keystone-group keystone$/, (_m, stdin, h) => {
      if (setupExit) return { code: setupExit, stdout: "progress\n", stderr: "line1\nline2\nline3\nline4\nline5\nline6\nPermission denied: '/etc/keystone/fernet-keys/'\n" };
      if (!stdin.endsWith("\n")) return { code: 1 };
      h.files.set(KEY, { content: "key", mode: 0o600, owner: "keystone", group: "keystone" });
      return "";
    }],
  ];
  return new ScriptedHost("h1", rules);
}

const fernet = (timeoutMs?: number) =>
  command({
    name: "Fernet keys",
    tags: ["keystone"],
    notify: ["restart keystone"],
    fact: { key: `exists:${KEY}`, command: `test -e ${KEY}`, parse: (_: string, code: number) => code === 0 },
    needed: (present) => (present ? undefined : "create fernet keys"),
    command: () => "IFS= read -r OS_SECRET && export OS_SECRET && keystone-manage fernet_setup --keystone-user keystone --keystone-group keystone",
    stdin: () => `${SECRET}\n`,
    ...(timeoutMs ? { timeoutMs } : {}),
  });

const cases: { title: string; present: boolean; check?: boolean; setupExit?: number; timeoutMs?: number; status: string; summary?: string; error?: RegExp; runs: number }[] = [
  { title: "state already right: ok, command not run", present: true, status: "ok", runs: 0 },
  { title: "state missing: command runs with the secret on stdin", present: false, status: "changed", summary: "create fernet keys", runs: 1 },
  { title: "timeout is passed to the transport", present: false, timeoutMs: 120_000, status: "changed", runs: 1 },
  { title: "check mode: would run, runs nothing", present: false, check: true, status: "changed", summary: "create fernet keys", runs: 0 },
  { title: "non-zero exit fails with the task name, code and stderr's last lines", present: false, setupExit: 2, status: "failed", error: /^h1: Fernet keys exited 2: line3 \| line4 \| line5 \| line6 \| Permission denied: '\/etc\/keystone\/fernet-keys\/'$/, runs: 1 },
];

describe("command: fact decides, command converges", () => {
  for (const c of cases) {
    it(c.title, async () => {
      const h = keysHost(c.setupExit);
      if (c.present) h.files.set(KEY, { content: "key", mode: 0o600, owner: "keystone", group: "keystone" });
      const result = await runTask(h, fernet(c.timeoutMs), { check: c.check ?? false });
      assert.equal(result.status, c.status, JSON.stringify(result));
      if (c.summary) assert.equal(result.summary, c.summary);
      if (c.error) assert.match(result.error ?? "", c.error);
      const runs = h.calls.filter((x) => x.command.includes("fernet_setup") && !x.command.startsWith("printf"));
      assert.equal(runs.length, c.runs);
      for (const run of runs) {
        assert.equal(run.stdin, `${SECRET}\n`);
        assert.equal(run.timeoutMs, c.timeoutMs);
      }
      assertNoSecretInCommands(h, [SECRET]);
      assertNoSecretInResult(result, [SECRET]);
      if (c.status === "changed" && !c.check) assert.equal((await runTask(h, fernet())).status, "ok", "a second run changes nothing");
    });
  }

  it("the fact is part of the batch and re-read after an earlier change", async () => {
    const h = keysHost();
    const creator = { name: "make key", tags: [], check: async () => ({ change: true as const, summary: "x", actions: [call("apply", async () => void h.files.set(KEY, { content: "k", mode: 0o600, owner: "root", group: "root" }))] }) };
    const report = await runTasks(h, [creator, fernet()]);
    assert.deepEqual(report.tasks.map((t) => t.status), ["changed", "ok"]);
    assert.equal(h.calls.filter((x) => x.command.includes("fernet_setup") && !x.command.startsWith("printf")).length, 0);
  });
});
