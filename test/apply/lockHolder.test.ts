// For whom a run waits: the holder's line in the lock file and the kernel's record of who holds it, read by the
// real shell snippets against a real flock on this machine, and their words for the operator.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { execa } from "execa";
import { describeHolderScript, holderFromBusyLine, writeHolderScript } from "../../src/apply/lockHolder.js";

const work = mkdtempSync(join(tmpdir(), "gd-lock-holder-"));
after(() => rmSync(work, { recursive: true, force: true }));

describe("holder from the waiter's busy line", () => {
  const cases: [title: string, line: string, words: string | undefined][] = [
    ["an old script's bare line", "busy", undefined],
    ["no holder found in /proc/locks", "busy\t\t\t\t", undefined],
    ["a glance-deploy run whose shell holds the lock", "busy\t900\tcat\t1796000000\tglance-deploy pid=12 machine=ops1 user=root remote=900 since=1796000005", "glance-deploy process 12 on ops1 (user root), since 2026-11-30 00:53:25 UTC"],
    ["a stale line left by an earlier run: the kernel's holder wins", "busy\t901\tflock\t1796000000\tglance-deploy pid=12 machine=ops1 user=root remote=900 since=1796000005", "process 901 (flock) on the host, since 2026-11-30 00:53:20 UTC"],
    ["a holder with no start time", "busy\t901\tsleep\t\t", "process 901 (sleep) on the host"],
  ];
  for (const [title, line, words] of cases) it(title, () => assert.equal(holderFromBusyLine(line), words));
});

describe("the shell snippets against a real lock", () => {
  const lock = join(work, "lock");
  writeFileSync(lock, "");
  // A glance-deploy run holds the lock the way its lock script does (a shell keeps fd 9, writes its line);
  // anything else, the way an operator would by hand (`flock FILE command`).
  const hold = (withLine: boolean) =>
    withLine
      ? execa("sh", ["-c", `exec 9>>${lock}; flock -n 9 || exit 9; ${writeHolderScript(lock, { pid: 31, machine: "ops1", user: "alice" })}; echo held; exec sleep 30`], { reject: false, buffer: false })
      : execa("sh", ["-c", `: > ${lock}; echo held; exec flock -o ${lock} sleep 30 >/dev/null 2>&1`], { reject: false, buffer: false });
  const held = async () => (await execa("flock", ["-n", lock, "true"], { reject: false })).exitCode !== 0;

  for (const withLine of [true, false]) {
    it(withLine ? "a glance-deploy holder is named by its run" : "another holder is named by its process", async () => {
      const holder = hold(withLine);
      try {
        await new Promise<void>((resolve) => holder.stdout!.once("data", () => resolve()));
        while (!(await held())) await new Promise((r) => setTimeout(r, 20));
        const r = await execa("sh", ["-c", describeHolderScript(lock)]);
        const words = holderFromBusyLine(r.stdout.trim());
        const since = /since (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC$/.exec(words ?? "")?.[1];
        assert.ok(since, words);
        assert.ok(Math.abs(Date.parse(`${since.replace(" ", "T")}Z`) - Date.now()) < 60_000, `start time ${since} is now`);
        if (withLine) assert.match(words!, /^glance-deploy process 31 on ops1 \(user alice\), since /);
        else assert.match(words!, new RegExp(`^process ${holder.pid} \\(flock\\) on the host, since `));
      } finally {
        holder.kill("SIGKILL");
        await holder;
      }
    });
  }
});
