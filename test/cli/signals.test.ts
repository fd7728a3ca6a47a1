// SIGTERM (what `timeout`, systemd and CI send) is handled like Ctrl-C, and a report that cannot be written
// never hides the run's exit code. The CLI runs for real (dist/) against targets that accept TCP and never
// speak SSH, so the SSH handshake is the task in hand for ssh_connect_timeout seconds: long enough to signal.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { execa, type ResultPromise } from "execa";
import { generateKey } from "../helpers/sshd.js";

const BIN = new URL("../../dist/src/cli/bin.js", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "gd-signals-"));
const servers: Server[] = [];
const sockets = new Set<Socket>();
let inventory = "";

// Accepts connections and says nothing: an SSH client waits for the server's banner until it times out.
async function silentServer(): Promise<number> {
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as { port: number }).port;
}

before(async () => {
  const key = join(work, "id_ed25519");
  await generateKey(key, "ed25519");
  const [p1, p2] = [await silentServer(), await silentServer()];
  inventory = join(work, "inventory.yaml");
  writeFileSync(
    inventory,
    `all:
  vars: { ansible_ssh_private_key_file: ${key}, ssh_known_hosts_file: ${join(work, "known_hosts")}, ssh_connect_timeout: 3 }
  children:
    controller:
      hosts:
        h1: { ansible_host: 127.0.0.1, ansible_port: ${p1} }
        h2: { ansible_host: 127.0.0.1, ansible_port: ${p2} }
`,
  );
});

after(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  rmSync(work, { recursive: true, force: true });
});

// One host at a time, so h2 is still waiting when h1's handshake is interrupted.
function start(junit: string): ResultPromise {
  const args = [BIN, "deploy", "--inventory", inventory, "--playbook", "mariadb", "--concurrency", "1", "--json", "--junit", junit];
  return execa("node", args, { reject: false, extendEnv: false, env: { PATH: process.env.PATH ?? "", CI: "1", HOME: work }, timeout: 60_000 });
}

// Resolves when the process has written a stderr line matching `pattern`.
function stderrLine(p: ResultPromise, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    p.stderr!.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.split("\n").some((l) => pattern.test(l))) resolve();
    });
    p.once("exit", () => reject(new Error(`exited before ${pattern}:\n${seen}`)));
  });
}

// SIGTERM is what `timeout`, systemd and CI send; SIGINT is Ctrl-C. Both take the same path.
const signals: [signal: NodeJS.Signals, again: string, code: number][] = [
  ["SIGTERM", "SIGTERM", 143],
  ["SIGINT", "Ctrl-C", 130],
];
for (const [signal, again, code] of signals) {
  describe(signal, () => {
    it("first one: the task in hand ends, the rest is skipped, the report (JSON and JUnit) is written, exit 2", async () => {
      const junit = join(work, `first-${signal}.xml`);
      const begin = Date.now();
      const p = start(junit);
      await stderrLine(p, /h1: connecting$/);
      p.kill(signal);
      await stderrLine(p, new RegExp(`^interrupted: finishing the current task, keeping pending handlers \\(${again} again to exit now\\)$`));
      const r = await p;
      assert.equal(r.signal, undefined, "not killed by the signal");
      assert.equal(r.exitCode, 2, String(r.stderr));
      const report = JSON.parse(String(r.stdout));
      assert.equal(report.hosts.h1.unreachable, true, "h1's handshake was the task in hand: it ran to its timeout");
      assert.match(report.hosts.h1.error, /timed out/);
      assert.equal(report.hosts.h2.error, "interrupted before start");
      assert.match(readFileSync(junit, "utf8"), /<testsuite name="h2"[^>]*>\n\s*<testcase [^>]*name="host"[^>]*><error message="interrupted before start"\/>/);
      assert.match(String(r.stderr), /^h2 +FAILED .*\(interrupted before start\)$/m, "the recap is printed");
      assert.ok(Date.now() - begin < 20_000, "h2 did not run its own handshake");
    });

    it(`second one: exits at once with ${code} and an error document`, async () => {
      const p = start(join(work, `second-${signal}.xml`));
      await stderrLine(p, /h1: connecting$/);
      p.kill(signal);
      await stderrLine(p, /^interrupted: /);
      p.kill(signal);
      const r = await p;
      assert.equal(r.exitCode, code);
      const lines = String(r.stdout).split("\n").filter(Boolean);
      assert.equal(lines.length, 1);
      assert.deepEqual(JSON.parse(lines[0]!), { version: 1, error: { code, message: `interrupted again (${signal}): exited at once, without a report` } });
    });
  });
}

describe("a report that cannot be written", () => {
  it("is one line on stderr; the exit code and the JSON report are the run's own", async () => {
    const dir = join(work, "reports");
    mkdirSync(dir);
    const p = start(join(dir, "report.xml"));
    await stderrLine(p, /h1: connecting$/);
    // The path was fine when checked; it goes away while the run is under way.
    rmSync(dir, { recursive: true });
    const r = await p;
    assert.equal(r.exitCode, 4, "both hosts unreachable");
    assert.match(String(r.stderr), /^glance-deploy: --junit \S+report\.xml: report not written \(ENOENT\); the exit code is the run's own$/m);
    const report = JSON.parse(String(r.stdout));
    assert.equal(report.hosts.h2.unreachable, true);
    assert.ok(!existsSync(dir));
  });
});
