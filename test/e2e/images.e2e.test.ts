// The image catalogue on a converged lab host: `glance_images` uploaded once, a second run changes nothing, a
// changed file uploads a new image and says so (the old one kept, or deleted with replace: true), properties are
// updated in place, and state: absent removes the name. Glance is looked at with the admin's own CLI on the host.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { execa } from "execa";
import { parseDocument } from "yaml";
import type { PlayReport, TaskResult } from "../../src/report/types.js";
import { convergedLab, type ConvergedLab } from "../helpers/converged.js";

const skip = process.getuid?.() !== 0 ? "e2e tests need root (they build lab hosts)" : false;
const BIN = new URL("../../dist/src/cli/bin.js", import.meta.url).pathname;
const TASK = "Glance image catalogue";
let lab: ConvergedLab;
let dir = "";

// The lab's inventory with `glance_images` set in all.vars.
async function inventoryWith(images: unknown[]): Promise<string> {
  const doc = parseDocument(await readFile(lab.inventory, "utf8"));
  doc.setIn(["all", "vars", "glance_images"], images);
  const path = join(dir, "inventory.yaml");
  await writeFile(path, doc.toString());
  return path;
}

async function deploy(images: unknown[], extra: string[] = []): Promise<{ report: PlayReport; task: TaskResult; stderr: string }> {
  const inventory = await inventoryWith(images);
  const run = () => execa("node", [BIN, "deploy", "--inventory", inventory, "--playbook", "glance", "--json", ...extra], { reject: false, env: { CI: "1" }, timeout: 15 * 60_000 });
  let r = await run();
  // A clone's Keystone starts its workers lazily: on a loaded machine a cold one can miss the preflight's
  // deadline. The preflight comes before any change, so running again is safe; anything else fails the test.
  for (let i = 0; i < 2 && r.exitCode === 2 && /preflight: Keystone answers .*nothing moved/.test(r.stderr); i++) r = await run();
  const report = JSON.parse(r.stdout || "{}") as PlayReport;
  assert.equal(r.exitCode, 0, `${r.stderr}\n${report.tasks?.filter((t) => t.status === "failed").map((t) => `${t.name}: ${t.error}`).join("\n")}`);
  const task = report.tasks.find((t) => t.name === TASK);
  assert.ok(task, `the catalogue ran: ${report.tasks.map((t) => t.name).join(", ")}`);
  return { report, task, stderr: r.stderr };
}

// A fresh clone starts Keystone's and Glance's workers all at once on shared cores: until a plain run passes,
// a first request may wait longer than the preflight's deadline.
async function warmUp(): Promise<void> {
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    const r = await execa("node", [BIN, "deploy", "--inventory", lab.inventory, "--playbook", "glance"], { reject: false, env: { CI: "1" } });
    if (r.exitCode === 0) return;
    if (Date.now() > deadline) assert.fail(`the lab host did not settle: ${r.stdout.slice(-800)}`);
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
}

const changedCount = (r: PlayReport) => Object.values(r.hosts).reduce((n, h) => n + h.changed, 0);

async function images(name: string): Promise<{ ID: string; Name: string; Status: string }[]> {
  const host = lab.state.hosts[0]!.name;
  const r = await lab.exec(host, `. /root/admin-openrc && openstack image list --name ${name} -f json`);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { ID: string; Name: string; Status: string }[];
}

async function show(id: string): Promise<Record<string, unknown>> {
  const r = await lab.exec(lab.state.hosts[0]!.name, `. /root/admin-openrc && openstack image show ${id} -f json`);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

// A real qcow2 (Glance checks the format) whose bytes depend on its virtual size.
async function qcow2(name: string, size: string): Promise<{ path: string; md5: string }> {
  const path = join(dir, name);
  await execa("qemu-img", ["create", "-q", "-f", "qcow2", path, size]);
  return { path, md5: createHash("md5").update(await readFile(path)).digest("hex") };
}

describe("image catalogue on a lab host", { skip, timeout: 40 * 60_000 }, () => {
  let file = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "gd-images-e2e-"));
    file = join(dir, "cirros.qcow2");
    lab = await convergedLab(1);
    await warmUp();
  });
  after(async () => {
    await lab?.down();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const entry = (more: Record<string, unknown> = {}) => ({ name: "cirros", file, properties: { os_distro: "cirros" }, ...more });

  it("first run uploads the catalogue and shows progress; the image is active with the file's checksum", async () => {
    const { md5 } = await qcow2("cirros.qcow2", "16M");
    const { task, stderr } = await deploy([entry()]);
    assert.equal(task.status, "changed", JSON.stringify(task));
    assert.equal(task.summary, `upload image cirros from ${file}`);
    // Without a terminal, progress is a line per host every few seconds: here the hashing's, or the upload's.
    assert.match(stderr, /lab1: (sha512 of \S+cirros\.qcow2|upload cirros): [\d.]+ KiB of [\d.]+ KiB \(\d+%\), [\d.]+ \S+\/s/, "a progress line in the log");
    const listed = await images("cirros");
    assert.equal(listed.length, 1);
    const image = await show(listed[0]!.ID);
    assert.deepEqual([image.status, image.checksum, image.disk_format, image.visibility], ["active", md5, "qcow2", "public"]);
    assert.equal((image.properties as Record<string, unknown>).os_distro, "cirros");
  });

  it("second run: 0 changed, and check mode agrees", async () => {
    const again = await deploy([entry()]);
    assert.equal(changedCount(again.report), 0, JSON.stringify(again.report.tasks.filter((t) => t.status === "changed")));
    const check = await deploy([entry()], ["--check"]);
    assert.equal(changedCount(check.report), 0);
  });

  it("a property changed: updated in place, no new image", async () => {
    const { task } = await deploy([entry({ properties: { os_distro: "cirros", os_version: "0.6" } })]);
    assert.match(task.summary ?? "", /^update image cirros \([0-9a-f-]+\): os_version$/);
    const listed = await images("cirros");
    assert.equal(listed.length, 1);
    assert.equal(((await show(listed[0]!.ID)).properties as Record<string, unknown>).os_version, "0.6");
  });

  it("a changed file: check mode says what it would upload; the deploy uploads a new image, says so, and keeps the old", async () => {
    const [old] = await images("cirros");
    const { md5 } = await qcow2("cirros.qcow2", "32M");
    const check = await deploy([entry()], ["--check"]);
    assert.equal(check.task.status, "changed");
    assert.match(check.task.summary ?? "", /^upload a new image cirros from .*: its data changed \(image [0-9a-f-]+ holds other data\); old image [0-9a-f-]+ kept/);
    assert.match(check.task.actions?.[0] ?? "", /^upload .*cirros\.qcow2, \d+ bytes, sha512 [0-9a-f]{16}… to http:\/\/controller:9292 as a new image cirros/);
    assert.equal((await images("cirros")).length, 1, "check mode uploaded nothing");

    const { task } = await deploy([entry()]);
    assert.match(task.summary ?? "", new RegExp(`^upload a new image cirros from .*: its data changed \\(image ${old!.ID} holds other data\\); old image ${old!.ID} kept \\(replace: true would delete it\\)$`));
    const listed = await images("cirros");
    assert.equal(listed.length, 2);
    const fresh = listed.find((i) => i.ID !== old!.ID)!;
    assert.equal((await show(fresh.ID)).checksum, md5);
    const again = await deploy([entry()]);
    assert.equal(changedCount(again.report), 0, "the new image satisfies the entry; the old one is left alone");
  });

  it("replace: true deletes the old image once the new one is there; state: absent removes the name", async () => {
    const replaced = await deploy([entry({ replace: true })]);
    assert.match(replaced.task.summary ?? "", /^delete old image [0-9a-f-]+ of cirros \(replace: true\)$/);
    assert.equal((await images("cirros")).length, 1);
    const absent = await deploy([{ name: "cirros", state: "absent" }]);
    assert.match(absent.task.summary ?? "", /^delete image cirros/);
    assert.equal((await images("cirros")).length, 0);
    const again = await deploy([{ name: "cirros", state: "absent" }]);
    assert.equal(changedCount(again.report), 0);
  });
});
