// Report paths are checked before a run connects, without leaving anything behind; a write that fails at the
// end says so in one line.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { checkReportPath, writeReportFile } from "../../src/cli/reportFile.js";
import { UsageError } from "../../src/errors.js";

const work = mkdtempSync(join(tmpdir(), "gd-report-"));
after(() => rmSync(work, { recursive: true, force: true }));
writeFileSync(join(work, "existing.xml"), "previous report\n");
writeFileSync(join(work, "plain-file"), "");
mkdirSync(join(work, "dir"));
symlinkSync("/nonexistent-dir-gd/x", join(work, "dangling"));

describe("checkReportPath", () => {
  it("a new file in an existing directory: accepted, and not left behind", () => {
    checkReportPath("--junit", join(work, "new.xml"));
    assert.ok(!existsSync(join(work, "new.xml")));
  });

  it("an existing file: accepted, its content untouched until the report is written", () => {
    checkReportPath("--junit", join(work, "existing.xml"));
    assert.equal(readFileSync(join(work, "existing.xml"), "utf8"), "previous report\n");
  });

  const refused: [what: string, path: string, message: RegExp][] = [
    ["a missing directory", join(work, "missing/r.xml"), /: directory \S+missing does not exist$/],
    ["a file as directory", join(work, "plain-file/r.xml"), /: \S+plain-file is not a directory$/],
    ["a directory as the file", join(work, "dir"), /dir: is a directory$/],
    ["a place nothing can be created", "/proc/glance-deploy-report.xml", /: cannot be written \(E[A-Z]+\)$/],
    ["a dangling link into a missing directory", join(work, "dangling"), /dangling: cannot be written \(ENOENT\)$/],
  ];
  for (const [what, path, message] of refused) {
    it(`refuses ${what} with one line, exit 5`, () => {
      assert.throws(
        () => checkReportPath("--junit", path),
        (e: unknown) => e instanceof UsageError && e.exitCode === 5 && e.message.startsWith(`--junit ${path}: `) && message.test(e.message) && !e.message.includes("\n"),
      );
    });
  }
});

describe("writeReportFile", () => {
  it("writes the report", () => {
    const lines: string[] = [];
    assert.equal(writeReportFile("--junit", join(work, "out.xml"), "<x/>", (l) => lines.push(l)), true);
    assert.equal(readFileSync(join(work, "out.xml"), "utf8"), "<x/>");
    assert.deepEqual(lines, []);
  });

  it("a failed write is one line and returns false instead of throwing", () => {
    const lines: string[] = [];
    assert.equal(writeReportFile("--junit", join(work, "gone/out.xml"), "<x/>", (l) => lines.push(l)), false);
    assert.deepEqual(lines, [`glance-deploy: --junit ${join(work, "gone/out.xml")}: report not written (ENOENT); the exit code is the run's own`]);
  });
});
