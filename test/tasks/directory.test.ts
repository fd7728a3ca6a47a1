// directories task as data: what stat reports in, status and commands out; a second run changes nothing.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { directories } from "../../src/tasks/directory.js";
import { ScriptedHost } from "../helpers/scriptedHost.js";
import { runTask } from "./runTask.js";

type Dir = { kind: string; mode: number; owner: string; group: string };

// A host whose `stat` answers from a table and whose mkdir/chown/chmod line updates it.
function host(dirs: Record<string, Dir>) {
  return new ScriptedHost("h1", [
    [/^stat -c '%F\|%a %U %G' '?([^']+)'?$/, (m) => (dirs[m[1]!] ? `${dirs[m[1]!]!.kind}|${dirs[m[1]!]!.mode.toString(8)} ${dirs[m[1]!]!.owner} ${dirs[m[1]!]!.group}\n` : { code: 1 })],
    [/^mkdir -p (\S+) && chown glance:glance \S+ && chmod 0750 \S+$/, (m) => ((dirs[m[1]!] = { kind: "directory", mode: 0o750, owner: "glance", group: "glance" }), "")],
  ]);
}

const task = directories({ name: "dirs", tags: ["t"], paths: () => ["/s1", "/s2"], mode: 0o750, owner: "glance", group: "glance" });
const right: Dir = { kind: "directory", mode: 0o750, owner: "glance", group: "glance" };

const cases: { title: string; dirs: Record<string, Dir>; status: string; commands: number; summary?: string }[] = [
  { title: "both right: ok", dirs: { "/s1": right, "/s2": right }, status: "ok", commands: 0 },
  { title: "one missing: created", dirs: { "/s1": right }, status: "changed", commands: 1, summary: "create /s2" },
  { title: "wrong owner and mode: fixed", dirs: { "/s1": { ...right, owner: "root", mode: 0o755 }, "/s2": right }, status: "changed", commands: 1, summary: "fix /s1" },
  { title: "a file in the way: failed, nothing replaced", dirs: { "/s1": { ...right, kind: "regular file" }, "/s2": right }, status: "failed", commands: 0 },
];

describe("directories", () => {
  for (const c of cases) {
    it(c.title, async () => {
      const dirs: Record<string, Dir> = structuredClone(c.dirs);
      const h = host(dirs);
      const r = await runTask(h, task);
      assert.equal(r.status, c.status, JSON.stringify(r));
      assert.equal(h.commands().filter((x) => x.startsWith("mkdir")).length, c.commands);
      if (c.summary) assert.equal(r.summary, c.summary);
      if (c.status === "changed") assert.equal((await runTask(host(dirs), task)).status, "ok", "second run changes nothing");
    });
  }
});
