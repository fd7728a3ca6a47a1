// Restarts owed from an earlier run (pending-handlers on the host) are said at the start of any play and carried
// out whatever the playbook: every deploy playbook knows every handler.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { allHandlers, playbooks } from "../../playbooks/index.js";
import { runPlay } from "../../src/apply/play.js";
import { PENDING_FILE } from "../../src/facts/state.js";
import { owedNotice } from "../../src/handlers/run.js";
import type { Handler } from "../../src/plan/types.js";
import { ScriptedHost } from "../helpers/scriptedHost.js";
import { hostVars } from "../tasks/runTask.js";

const handler = (name: string, ran: string[]): Handler => ({ name, run: async () => void ran.push(name) });

describe("owedNotice", () => {
  const known = [handler("restart mariadb", []), handler("restart memcached", []), handler("restart glance-api", [])];
  const cases: [title: string, owed: string[], handlers: Handler[], check: boolean, notice: string | undefined][] = [
    ["nothing owed: nothing to say", [], known, false, undefined],
    ["owed and known, in the playbook's order", ["restart memcached", "restart mariadb"], known, false, "owed from an earlier run: restart mariadb, restart memcached (to run in this play)"],
    ["check mode", ["restart glance-api"], known, true, "owed from an earlier run: restart glance-api (would run in this play)"],
    ["a name this version does not know", ["restart nova", "restart mariadb"], known, false, "owed from an earlier run: restart mariadb (to run in this play); restart nova (unknown to this version; kept)"],
    ["a play without handlers (verify)", ["restart mariadb"], [], false, "owed from an earlier run: restart mariadb (not run by this play; kept for the next deploy)"],
  ];
  for (const [title, owed, handlers, check, notice] of cases) it(title, () => assert.equal(owedNotice(owed, handlers, check), notice));
});

describe("owed restarts in a play of another playbook", () => {
  for (const check of [false, true]) {
    it(check ? "check mode: said, reported as would run, nothing written" : "said at the start, carried out at the end, then forgotten on the host", async () => {
      const h = new ScriptedHost("h1");
      h.files.set(PENDING_FILE, { content: "restart memcached\nrestart glance-api\n", mode: 0o600, owner: "root", group: "root" });
      const ran: string[] = [];
      const events: string[] = [];
      const report = await runPlay({
        playbook: {
          name: "other",
          group: "controller",
          tasks: [{ name: "unrelated", tags: [], check: async () => (events.push("task"), { change: false }) }],
          handlers: [handler("restart memcached", ran), handler("restart glance-api", ran)],
        },
        hosts: [{ name: "h1", groups: ["controller"], vars: hostVars() }],
        connect: async () => h,
        check,
        events: { notice: (_h, m) => events.push(m) },
      });
      assert.deepEqual(events, [`owed from an earlier run: restart memcached, restart glance-api (${check ? "would run" : "to run"} in this play)`, "task"]);
      assert.deepEqual(ran, check ? [] : ["restart memcached", "restart glance-api"]);
      assert.deepEqual(
        report.tasks.filter((t) => t.tags.includes("handler")).map((t) => [t.name, t.status]),
        [["handler: restart memcached", "changed"], ["handler: restart glance-api", "changed"]],
      );
      assert.equal(h.files.has(PENDING_FILE), check, check ? "check mode leaves the host as it was" : "nothing owed any more");
    });
  }

  it("every deploy playbook carries every known handler; verify none", () => {
    const names = allHandlers.map((x) => x.name);
    assert.deepEqual(names, ["restart mariadb", "restart memcached", "restart keystone", "restart glance-api"]);
    for (const [name, p] of Object.entries(playbooks)) {
      assert.deepEqual(p.handlers?.map((x) => x.name) ?? [], name === "verify" ? [] : names, name);
    }
  });
});
