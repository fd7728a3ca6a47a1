import assert from "node:assert/strict";
import { describe, it, mock } from "node:test";
import { byteMeter, transferLine } from "../../src/http/meter.js";
import { plainReporter } from "../../src/report/plain.js";

const MiB = 1024 ** 2;

describe("transferLine: bytes, share, rate, time left", () => {
  const cases: [number, number | undefined, number, string][] = [
    [0, 100 * MiB, 0, "x: 0 B of 100 MiB (0%), 0 B/s"],
    [512 * MiB, 1024 * MiB, 2000, "x: 512 MiB of 1.0 GiB (50%), 256 MiB/s, 2 s left"],
    [10 * MiB, 1024 * MiB, 10_000, "x: 10.0 MiB of 1.0 GiB (0%), 1.0 MiB/s, 16 min 54 s left"],
    [1 * MiB, 20 * 1024 * MiB, 1000, "x: 1.0 MiB of 20.0 GiB (0%), 1.0 MiB/s, 5 h 41 min left"],
    [3 * MiB, undefined, 1000, "x: 3.0 MiB, 3.0 MiB/s"],
    [1536, 1536, 1000, "x: 1.5 KiB of 1.5 KiB (100%), 1.5 KiB/s, 0 s left"],
  ];
  for (const [bytes, total, ms, line] of cases) it(line, () => assert.equal(transferLine("x", bytes, total, ms), line));
});

describe("byteMeter: at most one line per interval, and a closing line", () => {
  it("thins lines to the interval and ends on the whole transfer", () => {
    mock.timers.enable({ apis: ["Date"], now: 0 });
    try {
      const lines: string[] = [];
      const meter = byteMeter("up", 4 * MiB, (l) => lines.push(l), 500);
      for (let t = 0; t < 4; t++) {
        mock.timers.tick(250);
        meter.add(MiB);
      }
      meter.done();
      assert.deepEqual(lines, ["up: 1.0 MiB of 4.0 MiB (25%), 4.0 MiB/s, 1 s left", "up: 3.0 MiB of 4.0 MiB (75%), 4.0 MiB/s, 1 s left", "up: 4.0 MiB of 4.0 MiB (100%), 4.0 MiB/s, 0 s left"]);
    } finally {
      mock.timers.reset();
    }
  });
});

describe("plain reporter: a progress line per host every few seconds", () => {
  const cases: { title: string; events: [number, string, string][]; every?: number; printed: string[] }[] = [
    { title: "first line at once, the next after 5 s", events: [[0, "h1", "a"], [1000, "h1", "b"], [4999, "h1", "c"], [5000, "h1", "d"]], printed: ["h1: a", "h1: d"] },
    { title: "hosts are thinned apart", events: [[0, "h1", "a"], [100, "h2", "x"], [200, "h1", "b"]], printed: ["h1: a", "h2: x"] },
    { title: "a shorter interval when asked", every: 100, events: [[0, "h1", "a"], [50, "h1", "b"], [100, "h1", "c"]], printed: ["h1: a", "h1: c"] },
  ];
  for (const c of cases) {
    it(c.title, () => {
      mock.timers.enable({ apis: ["Date"], now: 0 });
      try {
        const lines: string[] = [];
        const events = plainReporter((l) => lines.push(l), { check: false, verbose: false, ...(c.every !== undefined ? { progressEveryMs: c.every } : {}) });
        for (const [at, host, text] of c.events) {
          mock.timers.setTime(at);
          events.progress!(host, text);
        }
        assert.deepEqual(lines.map((l) => l.replace(/^\S+ /, "")), c.printed);
      } finally {
        mock.timers.reset();
      }
    });
  }
});
