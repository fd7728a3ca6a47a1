// Builds the exact command strings sent over SSH; pure functions so quoting is unit-testable without a host.
import { posix } from "node:path";
import { quote } from "shlex";
import type { WriteFileOptions } from "./types.js";

export interface PrivilegeOptions {
  user: string;
  become: boolean;
}

// Why: only a non-root user with become needs sudo; `-n` makes a password prompt fail fast instead of hanging.
export function needsSudo({ user, become }: PrivilegeOptions): boolean {
  return become && user !== "root";
}

// Why: the whole command goes through one `sh -c` so pipes, redirections and `&&` run under sudo too.
export function wrapCommand(command: string, privilege: PrivilegeOptions): string {
  return needsSudo(privilege) ? `sudo -n -- sh -c ${quote(command)}` : command;
}

// Why: scripts must run in a POSIX sh even when the login shell is something else, with or without sudo.
export function wrapScript(script: string, privilege: PrivilegeOptions): string {
  return needsSudo(privilege) ? `sudo -n -- sh -c ${quote(script)}` : `sh -c ${quote(script)}`;
}

// Why: sshd ignores "signal" requests for root sessions and leaves a command running when its channel closes,
// so a deadline must be enforced on the host: coreutils timeout kills the command's whole process group.
// Hosts without timeout still run the command; the client-side timer then only stops waiting for it.
export function withRemoteDeadline(command: string, timeoutMs: number): string {
  const seconds = (Math.max(timeoutMs, 1) / 1000).toFixed(3);
  const inner = quote(command);
  return (
    `if command -v timeout >/dev/null 2>&1; then exec timeout -k 2 ${seconds} sh -c ${inner}; ` +
    `else exec sh -c ${inner}; fi`
  );
}

// Why: a reader of the file must see either the old content or the complete new one with its final mode and
// owner, never a partial or world-readable file; so the temp file is private (umask 077 + mktemp) in the same
// directory (rename stays atomic on one filesystem) and only renamed once content, owner and mode are final.
export function atomicWriteScript(path: string, options: WriteFileOptions): string {
  if (!posix.isAbsolute(path)) throw new Error(`writeFile needs an absolute path, got ${JSON.stringify(path)}`);
  if (path.endsWith("/")) throw new Error(`writeFile needs a file path, got directory ${JSON.stringify(path)}`);
  if (!Number.isInteger(options.mode) || options.mode < 0 || options.mode > 0o7777) {
    throw new Error(`writeFile: invalid mode ${String(options.mode)} for ${path}`);
  }
  const dir = posix.dirname(path);
  const base = posix.basename(path);
  const mode = options.mode.toString(8).padStart(4, "0");
  const lines = [
    "set -eu",
    "umask 077",
    `tmp=$(mktemp ${quote(`${dir}/.${base}.XXXXXX`)})`,
    // Leave no stray temp file behind when any later step fails.
    `trap 'rm -f "$tmp"' EXIT`,
    `cat > "$tmp"`,
  ];
  // chown before chmod: chown may clear setuid/setgid bits that the mode asks for.
  if (options.owner !== undefined || options.group !== undefined) {
    const spec = `${options.owner ?? ""}${options.group !== undefined ? ":" + options.group : ""}`;
    lines.push(`chown ${quote(spec)} "$tmp"`);
  }
  lines.push(`chmod ${mode} "$tmp"`, `mv -f "$tmp" ${quote(path)}`, "trap - EXIT");
  return lines.join("\n");
}
