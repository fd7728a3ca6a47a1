import type { RenderedFile } from "./types.js";

// A change as data: what the engine sends to a host to make a task's plan true. Check mode lists these
// (secrets masked) instead of running them, so an operator sees the exact commands, writes and requests.
export type Action =
  // A shell command; secrets travel on stdin only. `what` names it in errors (default: the command). Reports
  // never show stdin itself, only `stdinShown` where a task has a form of it free of secrets (e.g. the SQL).
  | { kind: "exec"; command: string; stdin?: string; stdinShown?: string; timeoutMs?: number; what?: string }
  // A whole file, written atomically with its owner and mode.
  | { kind: "write"; file: RenderedFile }
  // A Keystone admin request (path below /v3/).
  | { kind: "keystone"; method: string; path: string; body?: unknown }
  // Work whose exact requests depend on the answers of earlier actions (e.g. ids of records created in this
  // play) or that waits for a service; `what` says what it does.
  | { kind: "call"; what: string; run: () => Promise<void> };

export const exec = (command: string, more: Omit<Extract<Action, { kind: "exec" }>, "kind" | "command"> = {}): Action => ({ kind: "exec", command, ...more });
export const write = (file: RenderedFile): Action => ({ kind: "write", file });
export const keystoneRequest = (method: string, path: string, body?: unknown): Action => ({ kind: "keystone", method, path, ...(body !== undefined ? { body } : {}) });
export const call = (what: string, run: () => Promise<void>): Action => ({ kind: "call", what, run });

// One line per action for reports; the caller passes the result through the redactor.
export function describeAction(a: Action): string {
  switch (a.kind) {
    case "exec":
      return `run: ${a.command}${a.stdin === undefined ? "" : a.stdinShown === undefined ? ` (stdin: ${Buffer.byteLength(a.stdin)} bytes, not shown)` : `\n  stdin: ${a.stdinShown.trimEnd().replaceAll("\n", "\n         ")}`}`;
    case "write":
      return `write ${a.file.path} (${a.file.owner}:${a.file.group} ${a.file.mode.toString(8).padStart(4, "0")}, ${Buffer.byteLength(a.file.content)} bytes)`;
    case "keystone":
      return `Keystone ${a.method} /v3/${a.path}${a.body !== undefined ? ` ${JSON.stringify(a.body)}` : ""}`;
    case "call":
      return a.what;
  }
}
