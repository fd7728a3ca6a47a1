// known_hosts parsing and matching rules that need no server: patterns, markers, hashing, fingerprints.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { execa } from "execa";
import {
  fingerprint,
  hostFieldMatches,
  judgeHostKey,
  knownHostsName,
  readKnownHosts,
} from "../../src/transport/knownHosts.js";
import { generateKey } from "../helpers/sshd.js";

describe("known_hosts", () => {
  let dir: string;
  let keyA: Buffer;
  let keyB: Buffer;
  let pubA: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "glance-kh-"));
    await generateKey(join(dir, "a"), "ed25519");
    await generateKey(join(dir, "b"), "ed25519");
    pubA = (await readFile(join(dir, "a.pub"), "utf8")).trim();
    keyA = Buffer.from(pubA.split(" ")[1]!, "base64");
    keyB = Buffer.from((await readFile(join(dir, "b.pub"), "utf8")).split(" ")[1]!, "base64");
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("names hosts like OpenSSH: bare for port 22, [host]:port otherwise, lower-cased", () => {
    assert.equal(knownHostsName("Lab1.Example", 22), "lab1.example");
    assert.equal(knownHostsName("10.77.0.11", 2222), "[10.77.0.11]:2222");
  });

  it("matches comma lists, globs and negations", () => {
    assert.equal(hostFieldMatches("a,10.77.0.11,b", "10.77.0.11"), true);
    assert.equal(hostFieldMatches("10.77.0.*", "10.77.0.11"), true);
    assert.equal(hostFieldMatches("10.77.0.?", "10.77.0.11"), false);
    assert.equal(hostFieldMatches("10.77.0.*,!10.77.0.11", "10.77.0.11"), false);
    assert.equal(hostFieldMatches("LAB1", "lab1"), true);
    assert.equal(hostFieldMatches("[lab1]:2222", "lab1"), false);
  });

  it("matches hashed names produced by ssh-keygen -H", async () => {
    const file = join(dir, "hashed");
    await writeFile(file, `[lab1]:2222 ${pubA}\n`);
    await execa("ssh-keygen", ["-H", "-f", file]);
    const [entry] = await readKnownHosts([file]);
    assert.match(entry!.hostField, /^\|1\|/);
    assert.equal(hostFieldMatches(entry!.hostField, "[lab1]:2222"), true);
    assert.equal(hostFieldMatches(entry!.hostField, "lab1"), false);
  });

  it("gives fingerprints identical to ssh-keygen -l", async () => {
    const { stdout } = await execa("ssh-keygen", ["-l", "-E", "sha256", "-f", join(dir, "a.pub")]);
    assert.equal(fingerprint(keyA), stdout.split(" ")[1]);
  });

  it("skips garbage and unknown markers, and tells known, changed, revoked and unknown apart", async () => {
    const file = join(dir, "mixed");
    const [type, blobA] = pubA.split(" ");
    await writeFile(
      file,
      ["", "# comment", "garbage", "@bogus lab1 x y", `lab9 ${type} not-base64!!`, `@cert-authority lab1 ${type} ${blobA}`, `lab1 ${type} ${blobA}`].join("\n"),
    );
    const entries = await readKnownHosts([file, join(dir, "missing")]);
    assert.deepEqual(entries.map((e) => [e.line, e.marker ?? "-"]), [[6, "cert-authority"], [7, "-"]]);
    assert.equal(judgeHostKey(entries, "lab1", keyA).kind, "known");
    const changed = judgeHostKey(entries, "lab1", keyB);
    assert.equal(changed.kind, "changed");
    assert.equal(changed.kind === "changed" && changed.entry.line, 7);
    assert.equal(judgeHostKey(entries, "lab2", keyB).kind, "unknown");
    await writeFile(file, `@revoked * ${type} ${blobA}\nlab1 ${type} ${blobA}\n`);
    assert.equal(judgeHostKey(await readKnownHosts([file]), "lab1", keyA).kind, "revoked");
  });
});
