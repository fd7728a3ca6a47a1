// Targets behind jump hosts, against real OpenSSH servers on loopback: tunnels through one hop and a chain of
// two, one jump login shared by every target behind it, and each way a hop can fail named after that hop.
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { AuthError, ExitCode, HostKeyError, UnreachableError, exitCodeFor } from "../../src/errors.js";
import { SshTransport } from "../../src/transport/ssh.js";
import { startSshd, type TestSshd } from "../helpers/sshd.js";
import { closedPort, targetFor } from "./targets.js";

let target: TestSshd;
let jump1: TestSshd;
let jump2: TestSshd;
let closedJump: TestSshd;
const savedAuthSock = process.env.SSH_AUTH_SOCK;

const logins = (sshd: TestSshd) => sshd.log().split("\n").filter((l) => l.startsWith("Accepted publickey for root")).length;
const logouts = (sshd: TestSshd) => sshd.log().split("\n").filter((l) => l.startsWith("Disconnected from user root")).length;
// sshd logs (at DEBUG) each tunnel it opens, with the destination port.
const tunnelled = (sshd: TestSshd, to: TestSshd) => sshd.log().includes(`target 127.0.0.1 port ${to.port}`);
const via = (...jumps: TestSshd[]) => jumps.map((j) => `root@127.0.0.1:${j.port}`).join(",");

async function waitFor(what: string, check: () => boolean): Promise<void> {
  for (let waited = 0; !check(); waited += 50) {
    if (waited > 5_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(async () => {
  delete process.env.SSH_AUTH_SOCK;
  target = await startSshd({ logLevel: "VERBOSE" });
  jump1 = await startSshd({ logLevel: "DEBUG" });
  jump2 = await startSshd({ logLevel: "DEBUG" });
  closedJump = await startSshd({ allowTcpForwarding: false });
  // One key for the whole way, as operators usually have.
  for (const sshd of [jump1, jump2, closedJump]) await sshd.authorize(target.userKeyPath + ".pub");
});

after(async () => {
  for (const sshd of [target, jump1, jump2, closedJump]) await sshd?.stop();
  if (savedAuthSock !== undefined) process.env.SSH_AUTH_SOCK = savedAuthSock;
});

describe("one jump host", () => {
  it("serves every target behind it with one login, closed after the last target", async () => {
    const [loginsBefore, logoutsBefore, targetLogins] = [logins(jump1), logouts(jump1), logins(target)];
    const shared = targetFor(target, { proxyJump: via(jump1) });
    const [a, b] = await Promise.all([SshTransport.connect(shared), SshTransport.connect({ ...shared, name: "lab2" })]);
    assert.equal((await a.exec("echo a")).stdout, "a\n");
    assert.equal((await b.exec("echo b")).stdout, "b\n");
    assert.equal(logins(jump1), loginsBefore + 1, "one jump login for two targets");
    assert.equal(logins(target), targetLogins + 2);
    assert.ok(tunnelled(jump1, target), "the target was reached through the jump host");
    await a.close();
    // Still in use by the second target.
    assert.equal((await b.exec("echo still")).stdout, "still\n");
    await b.close();
    await waitFor("the jump connection to close", () => logouts(jump1) === logoutsBefore + 1);
    // A later target opens a fresh one.
    const c = await SshTransport.connect(shared);
    assert.equal((await c.exec("echo c")).stdout, "c\n");
    await c.close();
    assert.equal(logins(jump1), loginsBefore + 2);
  });

  it("records the jump host's key under accept-new, in the first known_hosts file", async () => {
    const file = join(target.dir, "known_hosts.accept");
    const t = await SshTransport.connect(targetFor(target, { proxyJump: via(jump1), knownHostsFiles: [file] }));
    await t.close();
    const recorded = (await readFile(file, "utf8")).trim().split("\n").sort();
    assert.deepEqual(recorded, [...(await jump1.knownHostsLines()), ...(await target.knownHostsLines())].sort());
  });
});

describe("a chain of two jump hosts", () => {
  it("walks the chain left to right, each hop tunnelled through the one before", async () => {
    const before = [logins(jump1), logins(jump2)];
    const t = await SshTransport.connect(targetFor(target, { proxyJump: via(jump1, jump2) }));
    assert.equal((await t.exec("echo chained")).stdout, "chained\n");
    await t.close();
    assert.deepEqual([logins(jump1), logins(jump2)], [before[0]! + 1, before[1]! + 1]);
    assert.ok(tunnelled(jump1, jump2), "jump2 reached through jump1");
    assert.ok(tunnelled(jump2, target), "the target reached through jump2");
  });
});

describe("jump host failures: exit 4, naming the jump host", () => {
  it("strict policy and an unknown jump host key: HostKeyError naming the jump host; the target is never contacted", async () => {
    const file = join(target.dir, "known_hosts.strict");
    await writeFile(file, (await target.knownHostsLines()).join("\n") + "\n");
    const config = join(target.dir, "ssh_config.strict");
    await writeFile(config, `Host bastion\n  HostName 127.0.0.1\n  Port ${jump1.port}\n`);
    const targetLogins = logins(target);
    const attempt = SshTransport.connect(
      targetFor(target, { hostKeyPolicy: "strict", knownHostsFiles: [file], proxyJump: "bastion", sshConfig: { file: config } }),
    );
    await assert.rejects(attempt, (error: unknown) => {
      assert.ok(error instanceof HostKeyError);
      assert.equal(exitCodeFor(error), ExitCode.unreachable);
      assert.equal(error.host, "bastion");
      assert.match(error.message, new RegExp(`^bastion \\(127\\.0\\.0\\.1:${jump1.port}\\): jump host for lab1: host key ssh-ed25519 SHA256:\\S+ is not in ${file} `));
      assert.match(error.message, new RegExp(`ssh-keyscan -p ${jump1.port} -t ed25519 127\\.0\\.0\\.1 >> ${file}`));
      return true;
    });
    assert.equal(logins(target), targetLogins);
  });

  it("a jump host that refuses the connection", async () => {
    const port = await closedPort();
    await assert.rejects(SshTransport.connect(targetFor(target, { proxyJump: `root@127.0.0.1:${port}` })), (error: unknown) => {
      assert.ok(error instanceof UnreachableError);
      assert.equal(exitCodeFor(error), ExitCode.unreachable);
      assert.equal(error.message, `127.0.0.1 (127.0.0.1:${port}): jump host for lab1: connection refused`);
      return true;
    });
  });

  it("the second hop of a chain unreachable from the first", async () => {
    const port = await closedPort();
    await assert.rejects(SshTransport.connect(targetFor(target, { proxyJump: `${via(jump1)},root@127.0.0.1:${port}` })), (error: unknown) => {
      assert.ok(error instanceof UnreachableError);
      assert.equal(error.message, `127.0.0.1 (127.0.0.1:${port}): jump host for lab1: not reachable through jump host 127.0.0.1: Connection refused`);
      return true;
    });
  });

  it("a jump host refusing our key: AuthError naming it", async () => {
    await assert.rejects(
      SshTransport.connect(targetFor(target, { proxyJump: via(jump1), privateKeyPath: target.strangerKeyPath })),
      (error: unknown) => {
        assert.ok(error instanceof AuthError);
        assert.equal(
          error.message,
          `127.0.0.1 (127.0.0.1:${jump1.port}): jump host for lab1: authentication failed for user root (tried: key ${target.strangerKeyPath})`,
        );
        return true;
      },
    );
  });

  it("a target down behind a working jump host is named as the target, with the jump host", async () => {
    // The jump host resolves the name, as with ssh -J: one it cannot resolve is its answer, not ours.
    await assert.rejects(SshTransport.connect(targetFor(target, { address: "no-such-host.invalid", proxyJump: via(jump1) })), {
      message: new RegExp(`^lab1 \\(no-such-host\\.invalid:${target.port}\\): not reachable through jump host 127\\.0\\.0\\.1: (Name or service not known|Temporary failure in name resolution)$`),
    });
    const port = await closedPort();
    await assert.rejects(SshTransport.connect(targetFor(target, { port, proxyJump: via(jump1) })), (error: unknown) => {
      assert.ok(error instanceof UnreachableError);
      assert.equal(error.message, `lab1 (127.0.0.1:${port}): not reachable through jump host 127.0.0.1: Connection refused`);
      return true;
    });
  });

  it("a jump host that does not forward (AllowTcpForwarding no)", async () => {
    await assert.rejects(SshTransport.connect(targetFor(target, { proxyJump: via(closedJump) })), (error: unknown) => {
      assert.ok(error instanceof UnreachableError);
      assert.match(error.message, new RegExp(`^lab1 \\(127\\.0\\.0\\.1:${target.port}\\): not reachable through jump host 127\\.0\\.0\\.1: the jump host refuses to forward \\(open failed; see AllowTcpForwarding and PermitOpen in its sshd_config\\)$`));
      return true;
    });
  });
});
