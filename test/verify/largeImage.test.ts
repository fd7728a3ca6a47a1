// An image larger than 2 GiB (a sparse file: no disk used) streams through verify's upload with flat memory.
// Before streaming, readFile could not even read it (Node's buffers stop at 2 GiB) and RSS grew with the image.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, it } from "node:test";
import { execa } from "execa";
import { FakeGlance } from "../http/glanceFake.js";
import { runVerify } from "./run.js";

const SIZE = 2 * 1024 ** 3 + 64 * 1024 ** 2;
const dir = mkdtempSync(join(tmpdir(), "gd-large-"));
after(() => rmSync(dir, { recursive: true, force: true }));

it(`a ${SIZE} byte image streams to Glance with memory flat`, { timeout: 5 * 60_000 }, async () => {
  const file = join(dir, "large.qcow2");
  await execa("truncate", ["-s", String(SIZE), file]);
  const glance = new FakeGlance();
  // Tool and fake Glance share this process: its resident set, sampled while the bytes pass, bounds both.
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  try {
    const { report } = await runVerify({ verify_image_file: file }, { glance });
    const line = report.tasks.find((t) => t.name === "Verify Glance")!;
    assert.equal(line.status, "ok", JSON.stringify(line));
    assert.match(line.summary ?? "", new RegExp(`uploaded ${SIZE} bytes through .*: active, md5 and sha512 match`));
  } finally {
    clearInterval(sampler);
  }
  assert.equal(glance.received, SIZE, "Glance received every byte");
  const grownMb = (peak - before) / 1024 ** 2;
  assert.ok(grownMb < 96, `resident set grew by ${grownMb.toFixed(0)} MB while ${SIZE} bytes passed`);
});
