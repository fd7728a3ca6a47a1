import { DeployError, ExitCode, RemoteCommandError } from "../errors.js";
import { STATE_DIR } from "../handlers/pending.js";
import type { Transport } from "../transport/types.js";

// One deploy at a time per host: the lock is an flock(1) on a root-only file, held by a shell on its own SSH
// session for the whole play. It dies with that session, so a killed tool or a cut link never leaves a stale
// lock: sshd closes the shell's stdin, `cat` ends, the file descriptor (and the lock) goes with it.
export const LOCK_FILE = `${STATE_DIR}/lock`;

// Printed by the script: "busy" once when another run holds the lock, then "locked", or "timeout".
export function hostLockScript(timeoutS: number): string {
  const wait = Math.max(1, Math.ceil(timeoutS));
  return [
    "umask 077",
    `mkdir -p ${STATE_DIR} && chmod 0700 ${STATE_DIR}`,
    `exec 9>>${LOCK_FILE}`,
    `chmod 0600 ${LOCK_FILE}`,
    `if ! flock -n 9; then echo busy; flock -w ${wait} 9 || { echo timeout; exit 1; }; fi`,
    "echo locked",
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
  release(): Promise<void>;
}

// Takes the host's lock, waiting up to timeoutS for another run to finish. Transports without held
// commands (none in the product) get no lock.
export async function acquireHostLock(
  t: Transport,
  options: { timeoutS: number; log?: (message: string) => void; signal?: AbortSignal },
): Promise<HostLock | undefined> {
  if (!t.hold) return undefined;
  const held = await t.hold(hostLockScript(options.timeoutS));
  const aborted = new Promise<"aborted">((resolve) => {
    if (options.signal?.aborted) resolve("aborted");
    options.signal?.addEventListener("abort", () => resolve("aborted"), { once: true });
  });
  try {
    for (;;) {
      const line = await Promise.race([held.nextLine(), aborted]);
      if (line === "aborted") throw new HostLockInterruptedError(t.host);
      if (line === "locked") return { release: () => held.release() };
      if (line === "busy") {
        options.log?.(`another deploy holds ${LOCK_FILE}; waiting up to ${options.timeoutS} s`);
        continue;
      }
      if (line === "timeout") throw new HostLockBusyError(t.host, Math.max(1, Math.ceil(options.timeoutS)));
      if (line === undefined) {
        const r = await held.exited;
        // A lost connection is reported by the transport itself (unreachable, exit 4).
        await t.exec(":");
        throw new RemoteCommandError(t.host, `taking the host lock ${LOCK_FILE}`, r.code, r.stderr);
      }
    }
  } catch (error) {
    await held.release().catch(() => undefined);
    throw error;
  }
}
