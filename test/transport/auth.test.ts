// Authentication and reachability failures against a real sshd and ssh-agent: one clear line each.
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { AuthError, HostKeyError, UnreachableError } from "../../src/errors.js";
import { SshTransport } from "../../src/transport/ssh.js";
import { startAgent, startSshd, type TestAgent, type TestSshd } from "../helpers/sshd.js";
import { closedPort, targetFor } from "./targets.js";

let sshd: TestSshd;
let agent: TestAgent;
const savedAuthSock = process.env.SSH_AUTH_SOCK;

before(async () => {
  // An agent from the environment would make key-only tests pass or fail for the wrong reason.
  delete process.env.SSH_AUTH_SOCK;
  sshd = await startSshd();
  agent = await startAgent(sshd.dir, [sshd.userKeyPath]);
});

after(async () => {
  await agent?.stop();
  await sshd?.stop();
  if (savedAuthSock !== undefined) process.env.SSH_AUTH_SOCK = savedAuthSock;
});

describe("authentication", () => {
  it("authenticates with the agent alone (no key file)", async () => {
    const transport = await SshTransport.connect(targetFor(sshd, { privateKeyPath: undefined, agentSocket: agent.socket }));
    assert.equal((await transport.exec("id -un")).stdout, "root\n");
    await transport.close();
  });

  it("falls back to SSH_AUTH_SOCK when no agent socket is configured", async () => {
    process.env.SSH_AUTH_SOCK = agent.socket;
    try {
      const transport = await SshTransport.connect(targetFor(sshd, { privateKeyPath: undefined }));
      assert.equal((await transport.exec("echo ok")).stdout, "ok\n");
      await transport.close();
    } finally {
      delete process.env.SSH_AUTH_SOCK;
    }
  });

  it("offers both the key file and the agent: an unauthorized key file does not stop the agent's key", async () => {
    const transport = await SshTransport.connect(
      targetFor(sshd, { privateKeyPath: sshd.strangerKeyPath, agentSocket: agent.socket }),
    );
    assert.equal((await transport.exec("echo ok")).stdout, "ok\n");
    await transport.close();
  });

  it("fails with one AuthError line naming user, host, address and what was tried", async () => {
    await assert.rejects(SshTransport.connect(targetFor(sshd, { privateKeyPath: sshd.strangerKeyPath })), (error: unknown) => {
      assert.ok(error instanceof AuthError);
      assert.ok(!(error instanceof HostKeyError));
      assert.equal(
        error.message,
        `lab1 (127.0.0.1:${sshd.port}): authentication failed for user root (tried: key ${sshd.strangerKeyPath})`,
      );
      return true;
    });
    await assert.rejects(
      SshTransport.connect(targetFor(sshd, { user: "nobody", privateKeyPath: sshd.userKeyPath, agentSocket: agent.socket })),
      {
        message: `lab1 (127.0.0.1:${sshd.port}): authentication failed for user nobody (tried: key ${sshd.userKeyPath}, agent)`,
      },
    );
  });

  it("says so when there is nothing to authenticate with", async () => {
    await assert.rejects(
      SshTransport.connect(targetFor(sshd, { privateKeyPath: `${sshd.dir}/no-such-key` })),
      {
        name: "AuthError",
        message: `lab1 (127.0.0.1:${sshd.port}): cannot authenticate as root: private key ${sshd.dir}/no-such-key is unusable: ENOENT`,
      },
    );
  });
});

describe("reachability", () => {
  it("a closed port gives one line: host (address:port): connection refused", async () => {
    const port = await closedPort();
    await assert.rejects(SshTransport.connect(targetFor(sshd, { port })), (error: unknown) => {
      assert.ok(error instanceof UnreachableError);
      assert.equal(error.message, `lab1 (127.0.0.1:${port}): connection refused`);
      return true;
    });
  });

  it("a server that never speaks SSH times out after connectTimeoutMs", async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    silent.listen(0, "127.0.0.1");
    await once(silent, "listening");
    const port = (silent.address() as AddressInfo).port;
    try {
      const started = Date.now();
      await assert.rejects(SshTransport.connect(targetFor(sshd, { port, connectTimeoutMs: 700 })), {
        name: "UnreachableError",
        message: `lab1 (127.0.0.1:${port}): timed out after 700ms`,
      });
      const took = Date.now() - started;
      assert.ok(took >= 650 && took < 3_000, `took ${took} ms`);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});
