// tunnelRequest with stream bodies, over a plain TCP stream (scripted transport) and over a real SSH channel
// (ssh2 to a local OpenSSH server): lengths, chunking, backpressure, deadlines, failing sources, early answers.
import assert from "node:assert/strict";
import { once } from "node:events";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { tunnelRequest } from "../../src/http/tunnel.js";
import { SshTransport } from "../../src/transport/ssh.js";
import type { Transport } from "../../src/transport/types.js";
import { ScriptedHost } from "../helpers/scriptedHost.js";
import { startSshd, type TestSshd } from "../helpers/sshd.js";
import { targetFor } from "../transport/targets.js";

// What the far end does with a request: how it reads the body and answers.
type Behaviour = (req: http.IncomingMessage, res: http.ServerResponse) => void;
let behave: Behaviour = () => undefined;
const server = http.createServer((req, res) => behave(req, res));
let port = 0;
let sshd: TestSshd;
let ssh: SshTransport;

before(async () => {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  port = (server.address() as AddressInfo).port;
  sshd = await startSshd();
  ssh = await SshTransport.connect(targetFor(sshd));
});
after(async () => {
  await ssh?.close();
  await sshd?.stop();
  server.closeAllConnections();
  server.close();
});

// A plain TCP stream, as the scripted transport of unit tests gives it.
function tcp(): Transport {
  const h = new ScriptedHost("h1");
  h.forwardTo = async (host, p) => {
    const socket = net.connect(p, host);
    await once(socket, "connect");
    return socket;
  };
  return h;
}

// A source that makes `total` bytes on demand, counting what it has handed out.
function counted(total: number, chunk = 1 << 16): Readable & { produced: number } {
  let produced = 0;
  const source = new Readable({
    read() {
      if (produced >= total) return void this.push(null);
      const n = Math.min(chunk, total - produced);
      produced += n;
      this.push(Buffer.alloc(n, 7));
    },
  }) as Readable & { produced: number };
  Object.defineProperty(source, "produced", { get: () => produced });
  return source;
}

// Reads the whole body, then answers with what arrived.
const echoLength: Behaviour = (req, res) => {
  let n = 0;
  req.on("data", (c: Buffer) => (n += c.length));
  req.on("end", () => res.end(JSON.stringify({ n, length: req.headers["content-length"] ?? null, chunked: req.headers["transfer-encoding"] ?? null })));
};

const transports: [string, () => Transport][] = [
  ["TCP stream", tcp],
  ["SSH channel", () => ssh],
];

for (const [kind, transport] of transports) {
  describe(`tunnelRequest over a ${kind}`, () => {
    const url = () => `http://127.0.0.1:${port}/v2/images/x/file`;
    const cases: { title: string; body: () => Readable; length?: number; want: unknown }[] = [
      { title: "a stream with its length goes out with content-length", body: () => counted(3 << 20), length: 3 << 20, want: { n: 3 << 20, length: String(3 << 20), chunked: null } },
      { title: "a stream without a length goes out chunked", body: () => counted(1 << 20), want: { n: 1 << 20, length: null, chunked: "chunked" } },
    ];
    for (const c of cases) {
      it(c.title, async () => {
        behave = echoLength;
        const r = await tunnelRequest(transport(), url(), { method: "PUT", body: c.body(), ...(c.length !== undefined ? { contentLength: c.length } : {}) });
        assert.equal(r.status, 200);
        assert.deepEqual(JSON.parse(r.body.toString()), c.want);
      });
    }

    it("reads the source no faster than the far end takes it (backpressure)", async () => {
      let received = 0;
      let resume: () => void = () => undefined;
      const stalled = new Promise<void>((resolve) => (resume = resolve));
      behave = (req, res) => {
        req.on("data", (c: Buffer) => {
          received += c.length;
          // Takes 8 MiB, then stops reading until the test lets it go on.
          if (received >= 8 << 20) {
            req.pause();
            void stalled.then(() => req.resume());
          }
        });
        req.on("end", () => res.end(String(received)));
      };
      const total = 1 << 30;
      const source = counted(total);
      const pending = tunnelRequest(transport(), url(), { method: "PUT", body: source, contentLength: total, timeoutMs: 60_000 });
      await new Promise((r) => setTimeout(r, 1000));
      const ahead = source.produced - received;
      resume();
      source.destroy();
      await pending.catch(() => undefined);
      assert.ok(received >= 8 << 20, `the far end got its first 8 MiB (${received})`);
      assert.ok(ahead < 32 << 20, `at most buffers' worth read ahead of the far end: ${ahead} bytes`);
    });

    it("fails when nothing moves for timeoutMs, naming the request", async () => {
      behave = (req) => req.pause();
      await assert.rejects(
        tunnelRequest(transport(), url(), { method: "PUT", body: counted(256 << 20), contentLength: 256 << 20, timeoutMs: 400 }),
        /PUT http:\/\/127\.0\.0\.1:\d+\/v2\/images\/x\/file: nothing moved for 0\.4 s/,
      );
    });

    it("a failing source aborts the request with the source's reason", async () => {
      behave = echoLength;
      let sent = 0;
      const broken = new Readable({
        read() {
          if ((sent += 1) > 4) return void this.destroy(new Error("disk read error"));
          this.push(Buffer.alloc(1 << 16));
        },
      });
      await assert.rejects(tunnelRequest(transport(), url(), { method: "PUT", body: broken, contentLength: 1 << 20 }), /disk read error/);
    });

    it("an answer before the body is read (a refusal) is returned, and the source is closed", async () => {
      behave = (_req, res) => res.writeHead(413, { connection: "close" }).end("too large");
      const source = counted(1 << 30);
      const r = await tunnelRequest(transport(), url(), { method: "PUT", body: source, contentLength: 1 << 30 });
      assert.equal(r.status, 413);
      assert.equal(r.body.toString(), "too large");
      await new Promise((res) => setImmediate(res));
      assert.ok(source.destroyed, "the source is not read any further");
      assert.ok(source.produced < 64 << 20, `read ${source.produced} bytes of a 1 GiB source`);
    });
  });
}
