import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { execa } from "execa";
import { split } from "shlex";
import { atomicWriteScript, needsSudo, withRemoteDeadline, wrapCommand, wrapScript } from "../../src/transport/remoteCommand.js";

describe("sudo wrapping", () => {
  it("wraps in sudo -n -- sh -c with POSIX quoting for a non-root user with become", () => {
    const wire = wrapCommand(`systemctl restart glance-api && echo 'it''s done' > /tmp/x`, { user: "deploy", become: true });
    assert.equal(wire.startsWith("sudo -n -- sh -c "), true);
    // The remote shell must see exactly one argument after -c: the original command, byte for byte.
    assert.deepEqual(split(wire), ["sudo", "-n", "--", "sh", "-c", `systemctl restart glance-api && echo 'it''s done' > /tmp/x`]);
  });

  it("does not wrap as root, nor without become", () => {
    assert.equal(wrapCommand("id -u", { user: "root", become: true }), "id -u");
    assert.equal(wrapCommand("id -u", { user: "deploy", become: false }), "id -u");
    assert.equal(needsSudo({ user: "root", become: true }), false);
    assert.equal(needsSudo({ user: "deploy", become: true }), true);
  });

  it("runs scripts in sh -c without sudo and in sudo -n -- sh -c with it", () => {
    assert.deepEqual(split(wrapScript("set -e\necho $HOME", { user: "root", become: true })), ["sh", "-c", "set -e\necho $HOME"]);
    assert.deepEqual(split(wrapScript("set -e\necho $HOME", { user: "deploy", become: true })), [
      "sudo", "-n", "--", "sh", "-c", "set -e\necho $HOME",
    ]);
  });

  it("the wrapped command really runs the original through a local sh", async () => {
    const original = `printf '%s|' "a b" 'c'"'"'d' $((1+2))`;
    // Drop the sudo prefix and run what follows through the local shell, as sudo would.
    const argv = split(wrapCommand(original, { user: "deploy", become: true })).slice(3);
    const result = await execa(argv[0]!, argv.slice(1));
    assert.equal(result.stdout, "a b|c'd|3|");
  });
});

describe("atomic write script", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "glance-atomic-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("rejects relative paths and bad modes before anything is sent", () => {
    assert.throws(() => atomicWriteScript("etc/glance/glance-api.conf", { mode: 0o640 }), /absolute path/);
    assert.throws(() => atomicWriteScript("/etc/glance/", { mode: 0o640 }), /file path/);
    assert.throws(() => atomicWriteScript("/etc/x", { mode: 0o17777 }), /invalid mode/);
  });

  it("quotes hostile paths and owners", () => {
    const script = atomicWriteScript("/tmp/a b/$(reboot)'x", { mode: 0o600, owner: "o;rm", group: "g" });
    assert.match(script, /mv -f "\$tmp" '\/tmp\/a b\/\$\(reboot\)'"'"'x'/);
    assert.match(script, /chown 'o;rm:g' "\$tmp"/);
  });

  it("writes content, mode and owner locally under sh, leaving no temp file", async () => {
    const path = join(dir, "it's a file.conf");
    await writeFile(path, "old\n", { mode: 0o644 });
    const script = atomicWriteScript(path, { mode: 0o640, owner: "nobody", group: "nogroup" });
    await execa("sh", ["-c", script], { input: "new content\n" });
    assert.equal(await readFile(path, "utf8"), "new content\n");
    const info = await stat(path);
    assert.equal(info.mode & 0o7777, 0o640);
    assert.equal(info.uid, 65534);
    assert.equal(info.gid, 65534);
    assert.deepEqual(await readdir(dir), ["it's a file.conf"]);
  });

  it("keeps the old file and removes the temp file when a step fails", async () => {
    const path = join(dir, "keep.conf");
    await writeFile(path, "original\n", { mode: 0o600 });
    const script = atomicWriteScript(path, { mode: 0o640, owner: "no-such-user-glance" });
    const result = await execa("sh", ["-c", script], { input: "replacement\n", reject: false });
    assert.notEqual(result.exitCode, 0);
    assert.equal(await readFile(path, "utf8"), "original\n");
    assert.deepEqual((await readdir(dir)).filter((f) => f.startsWith(".keep.conf.")), []);
  });
});

describe("remote deadline", () => {
  it("kills the command's process group with coreutils timeout", async () => {
    const started = Date.now();
    const result = await execa("sh", ["-c", withRemoteDeadline("sleep 20 & sleep 20; echo never", 300)], { reject: false });
    assert.equal(result.exitCode, 124);
    assert.equal(result.stdout, "");
    assert.ok(Date.now() - started < 5_000);
  });

  it("passes stdin, output and exit code through when the command finishes in time", async () => {
    const result = await execa("sh", ["-c", withRemoteDeadline(`cat; echo "it's"; exit 3`, 5_000)], { input: "in\n", reject: false });
    assert.equal(result.exitCode, 3);
    assert.equal(result.stdout, "in\nit's");
  });

  it("still runs the command on a host without timeout(1)", async () => {
    const bin = await mkdtemp(join(tmpdir(), "glance-notimeout-"));
    try {
      await execa("ln", ["-s", "/bin/sh", join(bin, "sh")]);
      await execa("ln", ["-s", "/bin/echo", join(bin, "echo")]);
      const result = await execa("/bin/sh", ["-c", withRemoteDeadline("echo ran", 1_000)], { env: { PATH: bin }, extendEnv: false });
      assert.equal(result.stdout, "ran");
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  });
});
