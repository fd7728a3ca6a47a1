// Host key policy against a real sshd: strict, accept-new, changed and revoked keys, hashed and listed names.
import assert from "node:assert/strict";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { execa } from "execa";
import { ExitCode, HostKeyError, exitCodeFor } from "../../src/errors.js";
import { SshTransport } from "../../src/transport/ssh.js";
import { startSshd, type TestSshd } from "../helpers/sshd.js";
import { targetFor } from "./targets.js";

// Why: the fingerprint OpenSSH itself prints is the reference our messages must match.
async function sshKeygenFingerprint(knownHostsLine: string, dir: string): Promise<string> {
  const file = join(dir, `fp.${Math.random().toString(36).slice(2)}.pub`);
  await writeFile(file, knownHostsLine.split(" ").slice(1).join(" ") + "\n");
  const { stdout } = await execa("ssh-keygen", ["-l", "-E", "sha256", "-f", file]);
  return stdout.split(" ")[1]!;
}

async function connectAndRun(target: Parameters<typeof SshTransport.connect>[0]): Promise<string> {
  const transport = await SshTransport.connect(target);
  try {
    return (await transport.exec("echo connected")).stdout;
  } finally {
    await transport.close();
  }
}

describe("host key checking", () => {
  let sshd: TestSshd;
  before(async () => {
    sshd = await startSshd();
  });
  after(async () => {
    await sshd?.stop();
  });

  it("strict refuses an unknown host key with a HostKeyError saying how to add it", async () => {
    const file = join(sshd.dir, "strict-empty");
    const [line] = await sshd.knownHostsLines();
    const fp = await sshKeygenFingerprint(line!, sshd.dir);
    await assert.rejects(SshTransport.connect(targetFor(sshd, { hostKeyPolicy: "strict", knownHostsFiles: [file] })), (error: unknown) => {
      assert.ok(error instanceof HostKeyError);
      assert.equal(exitCodeFor(error), ExitCode.unreachable);
      assert.ok(error.message.startsWith(`lab1 (127.0.0.1:${sshd.port}): host key ssh-ed25519 ${fp} is not in ${file}`));
      assert.match(error.message, new RegExp(`ssh-keyscan -p ${sshd.port} -t ed25519 127\\.0\\.0\\.1 >> ${file}`));
      assert.ok(!error.message.includes("\n"));
      return true;
    });
    await assert.rejects(stat(file), /ENOENT/);
  });

  it("accept-new records the key (private dir and file), then strict accepts it", async () => {
    const file = join(sshd.dir, "new-dir", "sub", "known_hosts");
    assert.equal(await connectAndRun(targetFor(sshd, { hostKeyPolicy: "accept-new", knownHostsFiles: [file] })), "connected\n");
    assert.equal(await readFile(file, "utf8"), (await sshd.knownHostsLines()).join("\n") + "\n");
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(join(sshd.dir, "new-dir", "sub"))).mode & 0o777, 0o700);
    // OpenSSH's own tooling finds what we wrote.
    const found = await execa("ssh-keygen", ["-F", `[127.0.0.1]:${sshd.port}`, "-f", file]);
    assert.match(found.stdout, /ssh-ed25519/);
    assert.equal(await connectAndRun(targetFor(sshd, { hostKeyPolicy: "strict", knownHostsFiles: [file] })), "connected\n");
    // Known now, so a second accept-new connection does not append a duplicate.
    await connectAndRun(targetFor(sshd, { hostKeyPolicy: "accept-new", knownHostsFiles: [file] }));
    assert.equal((await readFile(file, "utf8")).trim().split("\n").length, 1);
  });

  it("accept-new appends to the first file only and does not glue onto an unterminated last line", async () => {
    const first = join(sshd.dir, "first");
    const second = join(sshd.dir, "second");
    await writeFile(first, "# operator comment without newline", { mode: 0o600 });
    await connectAndRun(targetFor(sshd, { knownHostsFiles: [first, second] }));
    const [line] = await sshd.knownHostsLines();
    assert.equal(await readFile(first, "utf8"), `# operator comment without newline\n${line}\n`);
    await assert.rejects(stat(second), /ENOENT/);
  });

  it("finds keys in later files, comma lists and hashed entries (ssh-keygen -H)", async () => {
    const [line] = await sshd.knownHostsLines();
    const [, type, blob] = line!.split(" ");
    const listed = join(sshd.dir, "listed");
    await writeFile(listed, `otherhost,[127.0.0.1]:${sshd.port},10.0.0.9 ${type} ${blob}\n`);
    assert.equal(
      await connectAndRun(targetFor(sshd, { hostKeyPolicy: "strict", knownHostsFiles: [join(sshd.dir, "absent"), listed] })),
      "connected\n",
    );
    const hashed = join(sshd.dir, "hashed");
    await writeFile(hashed, `${line}\n`);
    await execa("ssh-keygen", ["-H", "-f", hashed]);
    const text = await readFile(hashed, "utf8");
    assert.match(text, /^\|1\|[^|]+\|[^ ]+ ssh-ed25519 /);
    assert.equal(await connectAndRun(targetFor(sshd, { hostKeyPolicy: "strict", knownHostsFiles: [hashed] })), "connected\n");
    // The same key recorded for port 22 (plain host name) must not vouch for this port.
    const wrongPort = join(sshd.dir, "wrong-port");
    await writeFile(wrongPort, `127.0.0.1 ${type} ${blob}\n`);
    await assert.rejects(SshTransport.connect(targetFor(sshd, { hostKeyPolicy: "strict", knownHostsFiles: [wrongPort] })), HostKeyError);
  });

  it("refuses a changed key under both policies, naming file, line and both fingerprints", async () => {
    const file = join(sshd.dir, "changed");
    const [oldLine] = await sshd.knownHostsLines();
    const oldFp = await sshKeygenFingerprint(oldLine!, sshd.dir);
    const [, type, blob] = oldLine!.split(" ");
    await writeFile(
      file,
      [
        "# managed by hand",
        "not a valid line",
        `@cert-authority *.example.org ${type} ${blob}`,
        `other.example.org ${type} ${blob}`,
        oldLine,
        "",
      ].join("\n"),
    );
    await sshd.restart({ newHostKeys: true });
    const [newLine] = await sshd.knownHostsLines();
    const newFp = await sshKeygenFingerprint(newLine!, sshd.dir);
    assert.notEqual(oldFp, newFp);
    const before = await readFile(file, "utf8");
    for (const hostKeyPolicy of ["strict", "accept-new"] as const) {
      await assert.rejects(SshTransport.connect(targetFor(sshd, { hostKeyPolicy, knownHostsFiles: [file] })), (error: unknown) => {
        assert.ok(error instanceof HostKeyError);
        assert.ok(
          error.message.startsWith(
            `lab1 (127.0.0.1:${sshd.port}): HOST KEY CHANGED: ${file}:5 has ssh-ed25519 ${oldFp} but the host offered ${newFp}`,
          ),
          error.message,
        );
        assert.match(error.message, new RegExp(`ssh-keygen -R '\\[127\\.0\\.0\\.1\\]:${sshd.port}' -f ${file}$`));
        return true;
      });
    }
    assert.equal(await readFile(file, "utf8"), before, "a refused key must not be recorded");
  });

  it("refuses a key marked @revoked even when it is also listed as known", async () => {
    const [line] = await sshd.knownHostsLines();
    const [, type, blob] = line!.split(" ");
    const file = join(sshd.dir, "revoked");
    await writeFile(file, `${line}\n@revoked * ${type} ${blob}\n`);
    await assert.rejects(SshTransport.connect(targetFor(sshd, { knownHostsFiles: [file] })), (error: unknown) => {
      assert.ok(error instanceof HostKeyError);
      assert.match(error.message, new RegExp(`is marked @revoked in ${file}:2`));
      return true;
    });
  });
});

describe("host with several key types", () => {
  let sshd: TestSshd;
  before(async () => {
    sshd = await startSshd({ hostKeyTypes: ["ed25519", "rsa", "ecdsa"] });
  });
  after(async () => {
    await sshd?.stop();
  });

  it("negotiates the key type already known instead of presenting an unknown one", async () => {
    const lines = await sshd.knownHostsLines();
    for (const wanted of ["ssh-rsa", "ecdsa-sha2-nistp256"]) {
      const file = join(sshd.dir, `only-${wanted}`);
      await writeFile(file, lines.filter((l) => l.split(" ")[1] === wanted).join("\n") + "\n");
      assert.equal(await connectAndRun(targetFor(sshd, { hostKeyPolicy: "strict", knownHostsFiles: [file] })), "connected\n");
    }
  });
});
