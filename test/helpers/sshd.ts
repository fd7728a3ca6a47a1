// Starts a real Debian OpenSSH server (and, on request, a real ssh-agent) on loopback for tests, so the
// transport is exercised against the server it will meet on controller hosts instead of a mock.
import { spawn, type ChildProcess } from "node:child_process";
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, connect as netConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";

export type HostKeyType = "ed25519" | "ecdsa" | "rsa";

export interface SshdOptions {
  // Host key types to generate; the first is what the server offers first.
  hostKeyTypes?: HostKeyType[];
  // direct-tcpip tunnels (what a jump host serves); on by default.
  allowTcpForwarding?: boolean;
  // sshd LogLevel; VERBOSE logs each login and disconnect, which jump host tests count.
  logLevel?: string;
}

export interface TestSshd {
  readonly address: "127.0.0.1";
  readonly port: number;
  // Scratch directory holding config, keys and anything a test wants to put next to them.
  readonly dir: string;
  // Private key authorized for root.
  readonly userKeyPath: string;
  // Private key that is NOT authorized anywhere (auth-failure tests).
  readonly strangerKeyPath: string;
  // Adds a public key (path of a .pub file) to root's authorized keys, e.g. another server's user key.
  authorize(publicKeyPath: string): Promise<void>;
  // known_hosts lines ("[127.0.0.1]:port type base64") for the current host keys.
  knownHostsLines(): Promise<string[]>;
  // Stops the listener and starts it again on the same port, optionally with freshly generated host keys.
  restart(options?: { newHostKeys?: boolean }): Promise<void>;
  // Stops the listener; safe to call twice.
  stop(): Promise<void>;
  // Tail of sshd's log (stderr), for diagnosing a failing test.
  log(): string;
}

const SSHD = "/usr/sbin/sshd";

// Why: keys come from the real ssh-keygen so their formats are exactly what operators have on disk.
export async function generateKey(path: string, type: HostKeyType, comment = "glance-deploy-test"): Promise<void> {
  await rm(path, { force: true });
  await rm(path + ".pub", { force: true });
  const bits = type === "rsa" ? ["-b", "2048"] : [];
  await execa("ssh-keygen", ["-q", "-t", type, ...bits, "-N", "", "-C", comment, "-f", path]);
}

// Why: the OS picks a free port for us; the tiny race until sshd binds it is handled by retrying.
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// Why: sshd -D forks nothing before it listens, so "port accepts" is the only reliable readiness signal.
async function waitForPort(port: number, child: ChildProcess, stderr: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`sshd exited early (${child.exitCode ?? child.signalCode}): ${stderr().trim()}`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const socket = netConnect({ host: "127.0.0.1", port });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`sshd did not listen on ${port} within ${timeoutMs} ms: ${stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Why: stopping by the PID we spawned guarantees we never touch the host's own sshd or anyone else's.
async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  process.kill(child.pid, "SIGTERM");
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, "SIGKILL");
  }, 5_000);
  await exited;
  clearTimeout(timer);
}

export async function startSshd(options: SshdOptions = {}): Promise<TestSshd> {
  const types = options.hostKeyTypes ?? ["ed25519"];
  const dir = await mkdtemp(join(tmpdir(), "glance-sshd-"));
  // Privilege separation directory; Debian creates it from the service unit, which we do not run.
  await mkdir("/run/sshd", { recursive: true, mode: 0o755 });

  const userKeyPath = join(dir, "id_user");
  const strangerKeyPath = join(dir, "id_stranger");
  await generateKey(userKeyPath, "ed25519", "user@test");
  await generateKey(strangerKeyPath, "ed25519", "stranger@test");
  await writeFile(join(dir, "authorized_keys"), await readFile(userKeyPath + ".pub"), { mode: 0o600 });

  const hostKeyPaths = types.map((t) => join(dir, `ssh_host_${t}_key`));
  const makeHostKeys = async () => {
    for (const [i, t] of types.entries()) await generateKey(hostKeyPaths[i]!, t, "host@test");
  };
  await makeHostKeys();

  let port = 0;
  let child: ChildProcess | undefined;
  let stderrText = "";

  const launch = async () => {
    const config = [
      "ListenAddress 127.0.0.1",
      `Port ${port}`,
      ...hostKeyPaths.map((p) => `HostKey ${p}`),
      `PidFile ${join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      "StrictModes no",
      "UsePAM no",
      "PermitRootLogin prohibit-password",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PubkeyAuthentication yes",
      `AllowTcpForwarding ${options.allowTcpForwarding === false ? "no" : "yes"}`,
      "MaxSessions 10",
      "MaxStartups 100",
      `LogLevel ${process.env.GLANCE_SSHD_LOGLEVEL ?? options.logLevel ?? "INFO"}`,
    ].join("\n");
    const configPath = join(dir, "sshd_config");
    await writeFile(configPath, config + "\n", { mode: 0o600 });
    stderrText = "";
    const proc = spawn(SSHD, ["-D", "-e", "-f", configPath], { stdio: ["ignore", "ignore", "pipe"] });
    proc.stderr?.on("data", (chunk: Buffer) => {
      // Keep only the tail: it is for diagnostics when sshd refuses to start.
      stderrText = (stderrText + chunk.toString()).slice(-200_000);
    });
    child = proc;
    await waitForPort(port, proc, () => stderrText);
  };

  // Retry with another port if something else grabbed ours between freePort() and sshd's bind.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await launch();
      break;
    } catch (error) {
      await stopChild(child);
      if (attempt >= 3) throw error;
    }
  }

  return {
    address: "127.0.0.1",
    get port() {
      return port;
    },
    dir,
    userKeyPath,
    strangerKeyPath,
    async authorize(publicKeyPath) {
      await appendFile(join(dir, "authorized_keys"), await readFile(publicKeyPath));
    },
    async knownHostsLines() {
      const lines: string[] = [];
      for (const p of hostKeyPaths) {
        const [type, blob] = (await readFile(p + ".pub", "utf8")).trim().split(/\s+/);
        lines.push(`[127.0.0.1]:${port} ${type} ${blob}`);
      }
      return lines;
    },
    async restart(restartOptions = {}) {
      await stopChild(child);
      if (restartOptions.newHostKeys) await makeHostKeys();
      await launch();
    },
    log: () => stderrText,
    async stop() {
      await stopChild(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface TestAgent {
  readonly socket: string;
  stop(): Promise<void>;
}

// Why: agent auth must be tested against the real ssh-agent protocol, holding a key we load with ssh-add.
export async function startAgent(dir: string, keyPaths: string[]): Promise<TestAgent> {
  const socket = join(dir, `agent.${process.pid}.sock`);
  await rm(socket, { force: true });
  const child = spawn("ssh-agent", ["-D", "-a", socket], { stdio: ["ignore", "ignore", "pipe"] });
  let stderrText = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderrText += chunk.toString()));
  const deadline = Date.now() + 10_000;
  // ssh-add fails until the agent has bound its socket, so retrying it doubles as the readiness probe.
  for (;;) {
    const probe = await execa("ssh-add", ["-l"], { env: { SSH_AUTH_SOCK: socket }, reject: false });
    // Exit 1 means "agent has no identities": it is up.
    if (probe.exitCode === 0 || probe.exitCode === 1) break;
    if (child.exitCode !== null) throw new Error(`ssh-agent exited early: ${stderrText}`);
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`ssh-agent did not come up: ${probe.stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const key of keyPaths) await execa("ssh-add", ["-q", key], { env: { SSH_AUTH_SOCK: socket } });
  return {
    socket,
    async stop() {
      await stopChild(child);
      await rm(socket, { force: true });
    },
  };
}
