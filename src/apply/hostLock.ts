import { randomBytes } from "node:crypto";
import { DeployError, ExitCode, RemoteCommandError } from "../errors.js";
import { STATE_DIR } from "../facts/state.js";
import { PrivilegeError, privilegeProblem } from "../transport/errors.js";
import type { HeldCommand, Transport } from "../transport/types.js";
import { describeHolderScript, holderFromBusyLine, writeHolderScript } from "./lockHolder.js";

// One deploy at a time per host: the lock is an flock(1) on a root-only file, held by a shell on its own SSH
// session for the whole play. It dies with that session, so a killed tool or a cut link never leaves a stale
// lock: sshd closes the shell's stdin, `cat` ends, the file descriptor (and the lock) goes with it.
export const LOCK_FILE = `${STATE_DIR}/lock`;

// Printed by the script: "busy" (with the holder, see lockHolder.ts) once when another run holds the lock, then
// "locked", or "timeout". Once held, the lock file gets this run's line, so the next run to wait can say for
// whom. `then` runs once the lock is held (the play's fact probe: read under the lock, without a round trip of
// its own); its output follows "locked" and ends with the `done` line.
// Check mode writes nothing, not even the lock file or its line: it opens an existing lock read-only (flock
// works on any open file) and, on a host no deploy has touched yet, has nothing to wait for.
export function hostLockScript(timeoutS: number, then?: { script: string; done: string }, readOnly = false): string {
  const wait = Math.max(1, Math.ceil(timeoutS));
  const take = `if ! flock -n 9; then\n${describeHolderScript(LOCK_FILE)}\nflock -w ${wait} 9 || { echo timeout; exit 1; }\nfi`;
  // Everything the play does needs root (check mode too: it reads root-only files), and this is its first command.
  const root = `[ "$(id -u)" = 0 ] || { echo "glance-deploy: running as $(id -un), not root" >&2; exit 1; }`;
  const notDir = `[ ! -e ${STATE_DIR} ] || [ -d ${STATE_DIR} ] || { echo "${STATE_DIR} exists and is not a directory" >&2; exit 1; }`;
  const open = readOnly
    ? [`if [ -e ${LOCK_FILE} ]; then exec 9<${LOCK_FILE}; ${take}; else exec 9</dev/null; fi`]
    : ["umask 077", notDir, `mkdir -p ${STATE_DIR} && chmod 0700 ${STATE_DIR}`, `exec 9>>${LOCK_FILE}`, `chmod 0600 ${LOCK_FILE}`, take, writeHolderScript(LOCK_FILE)];
  return [
    root,
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
  constructor(host: string, waitedS: number, holder?: string) {
    const by = holder ? ` (${holder})` : "";
    super(`${host}: host lock: another deploy holds ${LOCK_FILE} on this host${by} (waited ${waitedS} s, host_lock_timeout); run again when it has finished`);
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
  options: {
    timeoutS: number;
    // Told to the operator whatever the verbosity: the run waits, and for whom.
    notice?: (message: string) => void;
    signal?: AbortSignal;
    then?: string;
    readOnly?: boolean;
    // The SSH user and ansible_become, to name the fix when the user cannot act as root.
    privilege?: { user?: string | undefined; become: boolean };
  },
): Promise<HostLock | undefined> {
  if (!t.hold) return undefined;
  const done = `@@${randomBytes(6).toString("hex")}:done`;
  let holder: string | undefined;
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
          if (out === undefined) return await lockLost(t, held, "reading facts under the host lock", options.privilege);
          output.push(out);
        }
        return { output: output.map((l) => `${l}\n`).join(""), release: () => held.release() };
      }
      if (line === undefined) return await lockLost(t, held, `taking the host lock ${LOCK_FILE}`, options.privilege);
      if (line === "busy" || line.startsWith("busy\t")) {
        holder = holderFromBusyLine(line);
        options.notice?.(`another deploy holds ${LOCK_FILE}${holder ? ` (${holder})` : ""}; waiting up to ${options.timeoutS} s (host_lock_timeout)`);
        continue;
      }
      if (line === "timeout") throw new HostLockBusyError(t.host, Math.max(1, Math.ceil(options.timeoutS)), holder);
    }
  } catch (error) {
    await held.release().catch(() => undefined);
    throw error;
  }
}

// The held command ended early: a lost connection is reported by the transport itself (unreachable, exit 4); a
// user who cannot act as root gets the fix in one line; anything else is the command's failure.
async function lockLost(t: Transport, held: HeldCommand, what: string, privilege?: { user?: string | undefined; become: boolean }): Promise<never> {
  const r = await held.exited;
  await t.exec(":");
  const problem = privilege && privilegeProblem(r.stderr, privilege);
  if (problem) throw new PrivilegeError(t.host, problem);
  throw new RemoteCommandError(t.host, what, r.code, r.stderr);
}
