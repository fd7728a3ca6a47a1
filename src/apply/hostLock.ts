import { randomBytes } from "node:crypto";
import { DeployError, ExitCode, RemoteCommandError } from "../errors.js";
import { STATE_DIR } from "../facts/state.js";
import type { HeldCommand, Transport } from "../transport/types.js";

// One deploy at a time per host: the lock is an flock(1) on a root-only file, held by a shell on its own SSH
// session for the whole play. It dies with that session, so a killed tool or a cut link never leaves a stale
// lock: sshd closes the shell's stdin, `cat` ends, the file descriptor (and the lock) goes with it.
export const LOCK_FILE = `${STATE_DIR}/lock`;

// Printed by the script: "busy" once when another run holds the lock, then "locked", or "timeout".
// `then` runs once the lock is held (the play's fact probe: read under the lock, without a round trip of
// its own); its output follows "locked" and ends with the `done` line.
// Check mode writes nothing, not even the lock file: it opens an existing lock read-only (flock works on any
// open file) and, on a host no deploy has touched yet, has nothing to wait for.
export function hostLockScript(timeoutS: number, then?: { script: string; done: string }, readOnly = false): string {
  const wait = Math.max(1, Math.ceil(timeoutS));
  const take = `if ! flock -n 9; then echo busy; flock -w ${wait} 9 || { echo timeout; exit 1; }; fi`;
  const open = readOnly
    ? [`if [ -e ${LOCK_FILE} ]; then exec 9<${LOCK_FILE}; ${take}; else exec 9</dev/null; fi`]
    : ["umask 077", `mkdir -p ${STATE_DIR} && chmod 0700 ${STATE_DIR}`, `exec 9>>${LOCK_FILE}`, `chmod 0600 ${LOCK_FILE}`, take];
  return [
    ...open,
    "echo locked",
    // The probe's processes must not inherit the lock (fd 9).
    ...(then ? [`{\n${then.script}\n} 9>&-`, `echo ${then.done}`] : []),
    // Holds fd 9 until our side ends stdin or the connection goes.
    "exec cat >/dev/null",
  ].join("\n");
}

export class HostLockBusyError extends DeployError {
  readonly exitCode = ExitCode.taskFailed;
  constructor(host: string, waitedS: number) {
    super(`${host}: host lock: another deploy holds ${LOCK_FILE} on this host (waited ${waitedS} s, host_lock_timeout); run again when it has finished`);
  }
}

export class HostLockInterruptedError extends DeployError {
  readonly exitCode = ExitCode.taskFailed;
  constructor(host: string) {
    super(`${host}: host lock: interrupted while waiting for another deploy to finish`);
  }
}

export interface HostLock {
  // What the `then` script printed (undefined without one).
  output?: string;
  release(): Promise<void>;
}

// Takes the host's lock, waiting up to timeoutS for another run to finish. Transports without held
// commands (none in the product) get no lock.
export async function acquireHostLock(
  t: Transport,
  options: { timeoutS: number; log?: (message: string) => void; signal?: AbortSignal; then?: string; readOnly?: boolean },
): Promise<HostLock | undefined> {
  if (!t.hold) return undefined;
  const done = `@@${randomBytes(6).toString("hex")}:done`;
  const held = await t.hold(hostLockScript(options.timeoutS, options.then !== undefined ? { script: options.then, done } : undefined, options.readOnly));
  const aborted = new Promise<"aborted">((resolve) => {
    if (options.signal?.aborted) resolve("aborted");
    options.signal?.addEventListener("abort", () => resolve("aborted"), { once: true });
  });
  try {
    for (;;) {
      const line = await Promise.race([held.nextLine(), aborted]);
      if (line === "aborted") throw new HostLockInterruptedError(t.host);
      if (line === "locked") {
        if (options.then === undefined) return { release: () => held.release() };
        const output: string[] = [];
        for (let out = await held.nextLine(); out !== done; out = await held.nextLine()) {
          if (out === undefined) return await lockLost(t, held, "reading facts under the host lock");
          output.push(out);
        }
        return { output: output.map((l) => `${l}\n`).join(""), release: () => held.release() };
      }
      if (line === "busy") {
        options.log?.(`another deploy holds ${LOCK_FILE}; waiting up to ${options.timeoutS} s`);
        continue;
      }
      if (line === "timeout") throw new HostLockBusyError(t.host, Math.max(1, Math.ceil(options.timeoutS)));
      if (line === undefined) return await lockLost(t, held, `taking the host lock ${LOCK_FILE}`);
    }
  } catch (error) {
    await held.release().catch(() => undefined);
    throw error;
  }
}

// The held command ended early: a lost connection is reported by the transport itself (unreachable, exit 4),
// anything else as the command's failure.
async function lockLost(t: Transport, held: HeldCommand, what: string): Promise<never> {
  const r = await held.exited;
  await t.exec(":");
  throw new RemoteCommandError(t.host, what, r.code, r.stderr);
}
