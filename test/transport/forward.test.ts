// SshTransport tunnels and connection lifecycle against a real OpenSSH server on loopback, directly and
// from a target behind a jump host.
import assert from "node:assert/strict";
import { once } from "node:events";
import { request, createServer as createHttpServer, type RequestOptions } from "node:http";
import { createServer, type AddressInfo, type Server } from "node:net";
import type { Duplex } from "node:stream";
import { after, before, describe, it } from "node:test";
import { UnreachableError } from "../../src/errors.js";
import { TunnelError } from "../../src/transport/errors.js";
import { SshTransport } from "../../src/transport/ssh.js";
import { startSshd, type TestSshd } from "../helpers/sshd.js";
import { closedPort, targetFor } from "./targets.js";

let sshd: TestSshd;
let jump: TestSshd;
let ssh: SshTransport;
let behind: SshTransport;

before(async () => {
  sshd = await startSshd();
  jump = await startSshd();
  await jump.authorize(sshd.userKeyPath + ".pub");
  ssh = await SshTransport.connect(targetFor(sshd));
  behind = await SshTransport.connect(targetFor(sshd, { proxyJump: `root@127.0.0.1:${jump.port}` }));
});

after(async () => {
  await ssh?.close();
  await behind?.close();
  await sshd?.stop();
  await jump?.stop();
});

describe("forward", () => {
  let echo: Server;
  let echoPort: number;
  before(async () => {
    echo = createServer((socket) => socket.pipe(socket));
    echo.listen(0, "127.0.0.1");
    await once(echo, "listening");
    echoPort = (echo.address() as AddressInfo).port;
  });
  after(() => {
    echo.close();
  });

  it("opens a duplex stream to a port as seen from the remote host, also on a target behind a jump host", async () => {
    for (const transport of [ssh, behind]) {
      const stream = await transport.forward("127.0.0.1", echoPort);
      const received: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => received.push(chunk));
      stream.end("hello through the tunnel");
      await once(stream, "end");
      assert.equal(Buffer.concat(received).toString(), "hello through the tunnel");
    }
  });

  it("carries HTTP via http.request createConnection", async () => {
    const http = createHttpServer((req, res) => res.end(`path=${req.url}`));
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    const port = (http.address() as AddressInfo).port;
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const req = request(
          {
            path: "/v2/images",
            headers: { connection: "close" },
            // Node accepts the callback form, so the tunnel can be opened asynchronously.
            createConnection: ((_opts: unknown, done: (error: Error | null, socket?: Duplex) => void) => {
              ssh.forward("127.0.0.1", port).then((s) => done(null, s), (e: Error) => done(e));
              return undefined;
            }) as unknown as RequestOptions["createConnection"],
          } as RequestOptions,
          (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (d: string) => (text += d));
            res.on("end", () => resolve(text));
          },
        );
        req.on("error", reject);
        req.end();
      });
      assert.equal(body, "path=/v2/images");
    } finally {
      http.close();
    }
  });

  it("fails with a TunnelError naming the destination when nothing listens", async () => {
    const port = await closedPort();
    await assert.rejects(ssh.forward("127.0.0.1", port), (error: unknown) => {
      assert.ok(error instanceof TunnelError);
      assert.match(error.message, new RegExp(`^lab1: cannot open tunnel to 127\\.0\\.0\\.1:${port}: Connection refused$`));
      return true;
    });
  });
});

describe("connection lifecycle", () => {
  it("rejects with UnreachableError naming host and address when the connection drops mid-command", async () => {
    const fragile = await SshTransport.connect(targetFor(sshd));
    // Kill this session's own sshd process: the TCP connection goes away under the running command.
    await assert.rejects(fragile.exec("kill -9 $PPID; sleep 5"), (error: unknown) => {
      assert.ok(error instanceof UnreachableError);
      assert.match(error.message, new RegExp(`^lab1 \\(127\\.0\\.0\\.1:${sshd.port}\\): connection lost while running a command`));
      assert.ok(!error.message.includes("\n"));
      return true;
    });
    // Later calls fail fast with the same kind of error instead of hanging.
    await assert.rejects(fragile.exec("true"), UnreachableError);
    await fragile.close();
  });

  it("close() is safe to call twice, and later calls fail clearly", async () => {
    const transport = await SshTransport.connect(targetFor(sshd));
    assert.equal((await transport.exec("echo hi")).stdout, "hi\n");
    await transport.close();
    await transport.close();
    await assert.rejects(transport.exec("true"), /^UnreachableError|connection lost/);
    await assert.rejects(transport.exec("true"), UnreachableError);
  });
});
