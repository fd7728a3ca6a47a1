// Typed errors, mapped to exit codes in exactly one place (exitCodeFor) so the CLI never guesses.

export const ExitCode = {
  ok: 0,
  internal: 1,
  taskFailed: 2,
  // `deploy --check --detailed-exitcode` only: the checks ran clean and something would change (drift).
  changesPending: 3,
  unreachable: 4,
  usage: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

// Base for every error the tool raises on purpose; anything else is an internal error (a bug).
export abstract class DeployError extends Error {
  abstract readonly exitCode: ExitCode;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

// Bad command line or bad inventory: the operator must fix input, nothing was touched.
export class UsageError extends DeployError {
  readonly exitCode = ExitCode.usage;
}

// Inventory problems carry a location so the message can point at file:line:column and the key path.
export class InventoryError extends UsageError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly column: number | undefined,
    readonly keyPath: string,
    readonly problem: string,
  ) {
    const where = line !== undefined ? `${file}:${line}:${column ?? 1}` : file;
    super(`${where}: ${keyPath ? keyPath + ": " : ""}${problem}`);
  }
}

// A host we could not talk to (network, auth, host key): exit 4, other hosts carry on.
export class UnreachableError extends DeployError {
  readonly exitCode = ExitCode.unreachable;
  constructor(
    readonly host: string,
    readonly address: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${host} (${address}): ${reason}`, options);
  }
}

// Host key mismatch or unknown key under the strict policy; a subtype so it maps to "unreachable".
export class HostKeyError extends UnreachableError {}

// SSH authentication refused.
export class AuthError extends UnreachableError {}

// A task's check or apply failed on a host.
export class TaskError extends DeployError {
  readonly exitCode = ExitCode.taskFailed;
  constructor(
    readonly host: string,
    readonly task: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${host}: ${task}: ${reason}`, options);
  }
}

// A remote command exited non-zero where success was required; message keeps stderr's last lines.
export class RemoteCommandError extends DeployError {
  readonly exitCode = ExitCode.taskFailed;
  constructor(
    readonly host: string,
    readonly what: string,
    readonly code: number,
    readonly stderr: string,
  ) {
    const tail = stderr.trim().split("\n").slice(-5).join(" | ");
    super(`${host}: ${what} exited ${code}${tail ? ": " + tail : ""}`);
  }
}

// The only mapping from an error to a process exit code.
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof DeployError) return error.exitCode;
  return ExitCode.internal;
}
