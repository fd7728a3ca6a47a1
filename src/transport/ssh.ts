// The SSH Transport: one connection per host, shared by every task, with a bounded number of sessions.
import type { Duplex } from "node:stream";
import pLimit, { type LimitFunction } from "p-limit";
import type ssh2 from "ssh2";
import { RemoteCommandError, UnreachableError } from "../errors.js";
import { redactor } from "../secrets/redactor.js";
import { endpointOf } from "./connect.js";
import { CommandTimeoutError, SecretInArgvError, TunnelError } from "./errors.js";
import { exitStatusOf, recordExitStatus } from "./exitStatus.js";
import { heldCommand } from "./heldCommand.js";
import { connectRoute, type RoutedClient } from "./jumpHosts.js";
import {
  atomicWriteScript,
  withRemoteDeadline,
  wrapCommand,
  wrapScript,
  type PrivilegeOptions,
} from "./remoteCommand.js";
import type { ExecOptions, ExecResult, HeldCommand, SshTarget, Transport, WriteFileOptions } from "./types.js";

// OpenSSH's MaxSessions default: more concurrent sessions than this get "Channel open failure".
export const DEFAULT_MAX_CHANNELS = 10;
// After a timeout we close the channel; if the server does not confirm the close, stop waiting after this.
const CLOSE_GRACE_MS = 2_000;

// With none of our sessions open, a refused session open is retried this often before giving up.
const IDLE_OPEN_RETRIES = 6;


export class SshTransport implements Transport {
  readonly host: string;
  private readonly endpoint: string;
  private readonly privilege: PrivilegeOptions;
  private readonly limit: LimitFunction;
  // Set once the connection is gone; every later call fails fast with it.
  private lost: string | undefined;
  private closing: Promise<void> | undefined;
  // Sessions currently open on the server, and callers waiting for one of them to close.
  private openSessions = 0;
  private sessionClosedWaiters: (() => void)[] = [];

  private readonly client: ssh2.Client;

  private constructor(routed: RoutedClient, target: SshTarget) {
    const { client, endpoint } = routed;
    this.client = client;
    this.host = target.name;
    this.endpoint = endpointOf(endpoint);
    // The user is known only now: it may come from the ssh config.
    this.privilege = { user: endpoint.user, become: target.become };
    this.limit = pLimit(Math.max(1, target.maxChannels ?? DEFAULT_MAX_CHANNELS));
    // Why: without an error listener a keepalive timeout after connect would crash the whole process.
    client.on("error", (error: Error) => {
      this.lost ??= error.message === "Keepalive timeout" ? "no answer to SSH keepalives" : error.message;
    });
    client.on("close", () => {
      this.lost ??= this.closing ? "connection closed" : "connection closed by the remote side";
      routed.release();
    });
  }

  // Why: connecting is async and can fail with a typed error, which a constructor cannot express.
  static async connect(target: SshTarget): Promise<SshTransport> {
    return new SshTransport(await connectRoute(target), target);
  }

  // Why: callers write plain shell; privilege wrapping and the secret check happen in one place.
  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const deadline = options.timeoutMs !== undefined && options.timeoutMs > 0;
    return this.run(wrapCommand(deadline ? withRemoteDeadline(command, options.timeoutMs!) : command, this.privilege), options);
  }

  // Why: one exec carries the whole atomic write so it works the same through sudo, content never in argv.
  async writeFile(path: string, content: string | Buffer, options: WriteFileOptions): Promise<void> {
    const result = await this.run(wrapScript(atomicWriteScript(path, options), this.privilege), { stdin: content });
    if (result.code !== 0) {
      throw new RemoteCommandError(this.host, `writing ${path}`, result.code, result.stderr);
    }
  }

  // Why: tunnels (direct-tcpip) do not count against MaxSessions, so they bypass the session limit.
  async forward(host: string, port: number): Promise<Duplex> {
    this.assertAlive("opening a tunnel");
    const destination = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
    return new Promise((resolve, reject) => {
      this.client.forwardOut("127.0.0.1", 0, host, port, (error, channel) => {
        if (error) {
          if (this.lost) return reject(this.lostError("opening a tunnel"));
          return reject(new TunnelError(this.host, destination, error.message.replace(/^\(SSH\) Channel open failure: /, "")));
        }
        resolve(channel);
      });
    });
  }

  // Why: a lock must live exactly as long as our connection: the script runs on its own session, outside the
  // task channel limit (which shrinks by one while it is held, so the server's MaxSessions is still respected).
  async hold(script: string): Promise<HeldCommand> {
    const wire = wrapScript(script, this.privilege);
    if (redactor.contains(wire)) throw new SecretInArgvError(this.host);
    this.assertAlive("running a command");
    const channel = await this.openSession(wire);
    this.openSessions++;
    const shrunk = this.limit.concurrency > 1;
    if (shrunk) this.limit.concurrency--;
    return heldCommand(channel, exitStatusOf(channel), {
      closed: () => {
        this.sessionClosed();
        if (shrunk) this.limit.concurrency++;
      },
      lostReason: () => this.lost,
      graceMs: CLOSE_GRACE_MS,
    });
  }

  // Why: ends the shared connection once; a second call (or a call after the peer left) is a no-op.
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (this.lost) return resolve();
      const timer = setTimeout(() => {
        this.client.destroy();
        resolve();
      }, CLOSE_GRACE_MS);
      this.client.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      this.client.end();
    });
    return this.closing;
  }

  // Why: every command, whatever built it, passes the argv secret check and the channel limit here.
  private async run(wire: string, options: ExecOptions): Promise<ExecResult> {
    if (redactor.contains(wire)) throw new SecretInArgvError(this.host);
    this.assertAlive("running a command");
    return this.limit(() => this.runChannel(wire, options));
  }

  // Why: the promise settles only when the channel is really closed, so the limit slot is freed for real.
  private async runChannel(wire: string, options: ExecOptions): Promise<ExecResult> {
    const channel = await this.openSession(wire);
    this.openSessions++;
    return new Promise((resolve, reject) => {
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let code: number | undefined;
      let timedOut = false;
      let settled = false;
      let killTimer: NodeJS.Timeout | undefined;
      let graceTimer: NodeJS.Timeout | undefined;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(killTimer);
        clearTimeout(graceTimer);
        fn();
      };

      channel.on("data", (chunk: Buffer) => stdout.push(chunk));
      channel.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
      const status = exitStatusOf(channel);
      channel.on("close", () => {
        code = status.code;
        this.sessionClosed();
        settle(() => {
          if (timedOut) return reject(new CommandTimeoutError(this.host, options.timeoutMs ?? 0));
          if (code !== undefined) {
            return resolve({
              code,
              stdout: Buffer.concat(stdout).toString("utf8"),
              stderr: Buffer.concat(stderr).toString("utf8"),
            });
          }
          if (this.lost) return reject(this.lostError("running a command"));
          reject(new UnreachableError(this.host, this.endpoint, "the SSH session ended without an exit status"));
        });
      });

      if (options.timeoutMs !== undefined && options.timeoutMs > 0) {
        const timeoutMs = options.timeoutMs;
        killTimer = setTimeout(() => {
          timedOut = true;
          channel.close();
          // The remote deadline (withRemoteDeadline) kills the process; we only stop waiting for the close.
          graceTimer = setTimeout(() => settle(() => reject(new CommandTimeoutError(this.host, timeoutMs))), CLOSE_GRACE_MS);
        }, timeoutMs);
      }
      // EOF right after the input, so commands reading stdin finish instead of waiting forever.
      if (options.stdin !== undefined) channel.end(options.stdin);
      else channel.end();
    });
  }

  // Why: sshd frees a session slot a moment after it confirms the close, and its MaxSessions may be lower than
  // maxChannels; so a refused open waits for one of our sessions to close (or a short backoff) and tries again.
  private async openSession(wire: string): Promise<ssh2.ClientChannel> {
    for (let attempt = 0; ; attempt++) {
      if (this.lost) throw this.lostError("running a command");
      try {
        return await new Promise<ssh2.ClientChannel>((resolve, reject) =>
          this.client.exec(wire, (error, channel) => {
            if (error) return reject(error);
            // Why at once: see recordExitStatus.
            recordExitStatus(channel);
            resolve(channel);
          }),
        );
      } catch (error) {
        if (this.lost) throw this.lostError("running a command");
        if (this.openSessions === 0 && attempt >= IDLE_OPEN_RETRIES) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new UnreachableError(this.host, this.endpoint, `cannot open an SSH session: ${reason}`);
        }
        const backoff = Math.min(1_000, 25 * 2 ** attempt);
        await Promise.race([this.nextSessionClose(), new Promise((r) => setTimeout(r, backoff))]);
      }
    }
  }

  // Why: wakes openSession() retries as soon as a slot may have come free.
  private sessionClosed(): void {
    this.openSessions--;
    const waiters = this.sessionClosedWaiters;
    this.sessionClosedWaiters = [];
    for (const wake of waiters) wake();
  }

  private nextSessionClose(): Promise<void> {
    return new Promise((resolve) => this.sessionClosedWaiters.push(resolve));
  }

  // Why: once the connection is gone, failing at once beats queueing work that can never run.
  private assertAlive(what: string): void {
    if (this.lost) throw this.lostError(what);
  }

  private lostError(what: string): UnreachableError {
    return new UnreachableError(this.host, this.endpoint, `connection lost while ${what} (${this.lost ?? "closed"})`);
  }
}
