// Transport failures that are not about reaching the host, kept next to the transport that raises them.
import { DeployError, ExitCode } from "../errors.js";

// A command ran past its deadline; it fails the task on that host, the host itself is still reachable.
export class CommandTimeoutError extends DeployError {
  readonly exitCode = ExitCode.taskFailed;
  constructor(
    readonly host: string,
    readonly timeoutMs: number,
  ) {
    super(`${host}: remote command timed out after ${formatDuration(timeoutMs)} and was killed`);
  }
}

// The SSH server could not open a tunnel to the requested destination (service down, forwarding disabled).
export class TunnelError extends DeployError {
  readonly exitCode = ExitCode.taskFailed;
  constructor(
    readonly host: string,
    readonly destination: string,
    readonly reason: string,
  ) {
    super(`${host}: cannot open tunnel to ${destination}: ${reason}`);
  }
}

// A registered secret appeared in a command line, where `ps` and audit logs would see it: a bug in the
// caller, so it is an internal error; the message deliberately never includes the command.
export class SecretInArgvError extends Error {
  constructor(readonly host: string) {
    super(`${host}: refusing to run a remote command whose arguments contain a secret; pass secrets on stdin`);
    this.name = "SecretInArgvError";
  }
}

// Why: operators read "10s" faster than "10000 ms", and timeouts are usually whole seconds.
export function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

// The SSH user cannot act as root: sudo wants a password, is refused or missing, or the user is not root and
// ansible_become is off. Raised where the first privileged command (the host lock) shows it.
export class PrivilegeError extends DeployError {
  readonly exitCode = ExitCode.taskFailed;
  constructor(
    readonly host: string,
    readonly reason: string,
  ) {
    super(`${host}: ${reason}`);
  }
}

// What the lock script's stderr says about the user's rights, as one line naming the fix; undefined when the
// failure is about something else. `user` is the inventory's ansible_user (unset: the ssh config's).
export function privilegeProblem(stderr: string, privilege: { user?: string | undefined; become: boolean }): string | undefined {
  const notRoot = /running as (\S+), not root/.exec(stderr)?.[1];
  const user = privilege.user ?? notRoot;
  const who = user ? `user ${user}` : "the SSH user";
  const fix = `give ${user ?? "it"} passwordless sudo (NOPASSWD) or connect as root (ansible_user: root)`;
  if (privilege.become) {
    if (/sudo: (a password is required|a terminal is required|no tty present)/.test(stderr)) return `${who} needs passwordless sudo: \`sudo -n\` asked for a password; ${fix}`;
    if (/is not in the sudoers file|is not allowed to (run sudo|execute)|may not run sudo/.test(stderr)) return `${who} may not use sudo on this host; ${fix}`;
    if (/sudo: (command )?not found|sudo: No such file/.test(stderr)) return `sudo is not installed on this host: install it and ${fix}`;
  }
  if (notRoot) {
    return privilege.become
      ? `commands run as ${notRoot} through sudo, not as root: check the sudoers rule for ${notRoot}`
      : `user ${notRoot} is not root and ansible_become is not set: set ansible_become: true (${notRoot} needs passwordless sudo) or connect as root`;
  }
  return undefined;
}
