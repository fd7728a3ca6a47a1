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
