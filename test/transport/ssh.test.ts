// SshTransport against a real OpenSSH server on loopback: commands, files, concurrency, failures (tunnels and
// the connection lifecycle: forward.test.ts).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { ExitCode, RemoteCommandError, exitCodeFor } from "../../src/errors.js";
import { redactor } from "../../src/secrets/redactor.js";
import { CommandTimeoutError, SecretInArgvError } from "../../src/transport/errors.js";
import { SshTransport } from "../../src/transport/ssh.js";
import { startSshd, type TestSshd } from "../helpers/sshd.js";
import { targetFor } from "./targets.js";

let sshd: TestSshd;
let ssh: SshTransport;

before(async () => {
  sshd = await startSshd();
  ssh = await SshTransport.connect(targetFor(sshd));
});

after(async () => {
  await ssh?.close();
  await sshd?.stop();
});

describe("exec", () => {
  it("returns stdout, stderr and the exit code, without rejecting on failure", async () => {
    const ok = await ssh.exec("echo out; echo err >&2");
    assert.deepEqual(ok, { code: 0, stdout: "out\n", stderr: "err\n" });
    const failed = await ssh.exec("echo partial; exit 42");
    assert.equal(failed.code, 42);
    assert.equal(failed.stdout, "partial\n");
    const missing = await ssh.exec("no-such-command-glance");
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /not found/);
  });

  it("reports death by signal as 128+N", async () => {
    const killed = await ssh.exec("sh -c 'kill -TERM $$'");
    assert.equal(killed.code, 143);
  });

  it("feeds stdin and closes it, so readers finish", async () => {
    const echoed = await ssh.exec("cat; echo done", { stdin: "line1\nline2\n" });
    assert.equal(echoed.stdout, "line1\nline2\ndone\n");
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const hashed = await ssh.exec("sha256sum", { stdin: bytes });
    assert.equal(hashed.stdout.split(" ")[0], createHash("sha256").update(bytes).digest("hex"));
    // No stdin given: EOF right away instead of hanging.
    const empty = await ssh.exec("wc -c", { timeoutMs: 5_000 });
    assert.equal(empty.stdout.trim(), "0");
  });

  it("keeps multi-byte UTF-8 intact across chunk boundaries", async () => {
    const text = "Glance — ✓ ".repeat(20_000);
    const result = await ssh.exec("cat", { stdin: text });
    assert.equal(result.stdout, text);
  });

  it("runs 20 concurrent commands on one connection, more than sshd's MaxSessions 10", async () => {
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => ssh.exec(`sleep 0.5; echo ${i}`)),
    );
    assert.deepEqual(results.map((r) => r.stdout.trim()), Array.from({ length: 20 }, (_, i) => String(i)));
    assert.ok(results.every((r) => r.code === 0));
    // Ten at a time: two waves of 0.5 s, not twenty sequential ones.
    assert.ok(Date.now() - started < 6_000, `took ${Date.now() - started} ms`);
  });

  it("never has more than maxChannels sessions in flight, and does use that many", async () => {
    const bounded = await SshTransport.connect(targetFor(sshd, { maxChannels: 3 }));
    const dir = `/tmp/glance-overlap-${process.pid}`;
    try {
      await bounded.exec(`rm -rf ${dir}; mkdir -p ${dir}`);
      // Each command counts the markers present while it runs: that is the server-side concurrency.
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          bounded.exec(`touch ${dir}/${i}; sleep 0.3; ls ${dir} | wc -l; rm ${dir}/${i}`),
        ),
      );
      const peak = Math.max(...results.map((r) => Number(r.stdout.trim())));
      assert.equal(peak, 3);
    } finally {
      await bounded.exec(`rm -rf ${dir}`);
      await bounded.close();
    }
  });

  it("waits for a free session when maxChannels exceeds the server's MaxSessions", async () => {
    const eager = await SshTransport.connect(targetFor(sshd, { maxChannels: 25 }));
    try {
      const results = await Promise.all(Array.from({ length: 25 }, (_, i) => eager.exec(`sleep 0.3; echo ${i}`)));
      assert.deepEqual(results.map((r) => r.stdout), Array.from({ length: 25 }, (_, i) => `${i}\n`));
    } finally {
      await eager.close();
    }
  });

  it("kills a command that runs past timeoutMs and says so", async () => {
    const marker = `sleep 31.${process.pid}`;
    const started = Date.now();
    await assert.rejects(ssh.exec(marker, { timeoutMs: 500 }), (error: unknown) => {
      assert.ok(error instanceof CommandTimeoutError);
      assert.equal(error.message, "lab1: remote command timed out after 500ms and was killed");
      return true;
    });
    assert.ok(Date.now() - started < 3_000);
    // The remote process is gone, not merely abandoned.
    await new Promise((r) => setTimeout(r, 300));
    const left = await ssh.exec(`pgrep -f '^${marker}$'`);
    assert.equal(left.code, 1, `still running: ${left.stdout}`);
  });
});

describe("writeFile", () => {
  const dir = `/tmp/glance-write-${process.pid}`;
  before(async () => {
    assert.equal((await ssh.exec(`mkdir -p ${dir}`)).code, 0);
  });
  after(async () => {
    await ssh.exec(`rm -rf ${dir}`);
  });

  it("writes content with mode, owner and group, replacing the old file and leaving no temp file", async () => {
    const path = `${dir}/glance-api.conf`;
    await ssh.exec(`echo old > ${path}; chmod 0666 ${path}`);
    await ssh.writeFile(path, "[DEFAULT]\ndebug = false\n", { mode: 0o640, owner: "nobody", group: "nogroup" });
    const info = await ssh.exec(`stat -c '%a %U %G %s' ${path}; cat ${path}; ls -A ${dir}`);
    assert.equal(info.stdout, "640 nobody nogroup 24\n[DEFAULT]\ndebug = false\nglance-api.conf\n");
  });

  it("writes binary content byte for byte with just a mode", async () => {
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256));
    await ssh.writeFile(`${dir}/blob`, bytes, { mode: 0o600 });
    const info = await ssh.exec(`stat -c '%a %U' ${dir}/blob; sha256sum < ${dir}/blob`);
    assert.equal(info.stdout, `600 root\n${createHash("sha256").update(bytes).digest("hex")}  -\n`);
  });

  it("fails with RemoteCommandError and leaves the old file untouched when the owner does not exist", async () => {
    const path = `${dir}/keep.conf`;
    await ssh.writeFile(path, "original\n", { mode: 0o644 });
    await assert.rejects(
      ssh.writeFile(path, "replacement\n", { mode: 0o644, owner: "no-such-user-glance" }),
      (error: unknown) => error instanceof RemoteCommandError && /writing .*keep\.conf exited 1: .*invalid user/.test(error.message),
    );
    const after = await ssh.exec(`cat ${path}; ls -A ${dir} | grep -c '^\\.keep' || true`);
    assert.equal(after.stdout, "original\n0\n");
  });

  it("never shows the final name with a wider mode or partial content while writing", async () => {
    const path = `${dir}/watched`;
    const content = "x".repeat(1_000_000) + "END\n";
    // A remote watcher samples the final name while a large write is in flight.
    const watcher = ssh.exec(
      `end=$(($(date +%s)+3)); while [ $(date +%s) -lt $end ]; do ` +
        `if [ -e ${path} ]; then s=$(stat -c '%a %s' ${path} 2>/dev/null) && echo "$s"; fi; done | sort -u`,
    );
    await new Promise((r) => setTimeout(r, 200));
    for (let i = 0; i < 3; i++) await ssh.writeFile(path, content, { mode: 0o600 });
    const seen = (await watcher).stdout.trim().split("\n").filter(Boolean);
    assert.deepEqual(seen, [`600 ${content.length}`]);
  });
});

describe("secrets stay out of argv", () => {
  const secret = "Gl4nce-Db-Pa55word";
  before(() => redactor.add(secret));
  after(() => redactor.clear());

  it("refuses a command containing a registered secret, without echoing it", async () => {
    await assert.rejects(ssh.exec(`mysql -u glance -p${secret} -e 'select 1'`), (error: unknown) => {
      assert.ok(error instanceof SecretInArgvError);
      assert.ok(!error.message.includes(secret));
      assert.match(error.message, /^lab1: refusing .* pass secrets on stdin$/);
      assert.equal(exitCodeFor(error), ExitCode.internal);
      return true;
    });
    // Encoded forms count too.
    await assert.rejects(ssh.exec(`echo ${encodeURIComponent(secret + "@/")}`), SecretInArgvError);
  });

  it("refuses a secret in a writeFile path but carries one in content via stdin", async () => {
    await assert.rejects(ssh.writeFile(`/tmp/${secret}`, "x", { mode: 0o600 }), SecretInArgvError);
    const path = `/tmp/glance-secret-${process.pid}`;
    await ssh.writeFile(path, `password = ${secret}\n`, { mode: 0o600 });
    const read = await ssh.exec(`cat ${path}; rm -f ${path}`);
    assert.equal(read.stdout, `password = ${secret}\n`);
    const viaStdin = await ssh.exec("cat", { stdin: secret });
    assert.equal(viaStdin.stdout, secret);
  });
});
