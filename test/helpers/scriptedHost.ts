import { PassThrough, type Duplex } from "node:stream";
import { createHash } from "node:crypto";
import type { ExecOptions, ExecResult, HeldCommand, Transport, WriteFileOptions } from "../../src/transport/types.js";

// A scripted transport for unit tests: a few files in memory plus command rules. Facts in, commands out.
export interface HostFile {
  content: string;
  mode: number;
  owner: string;
  group: string;
}

// How a held command behaves: print lines, exit, and learn when the caller releases it.
export interface HoldIo {
  print(line: string): void;
  // The lock is taken: prints "locked", then answers the fact probe the lock script carries, if any.
  locked(): void;
  exit(code: number, stderr?: string): void;
  readonly released: Promise<void>;
}

export type Rule = [RegExp, (match: RegExpMatchArray, stdin: string, host: ScriptedHost) => Partial<ExecResult> | string];

export class ScriptedHost implements Transport {
  readonly calls: { command: string; stdin: string; timeoutMs?: number }[] = [];
  readonly writes: { path: string; content: string; options: WriteFileOptions }[] = [];
  readonly files = new Map<string, HostFile>();
  closed = false;
  // Where forward() leads; tests that talk HTTP point it at an in-process server (default: a dead stream).
  forwardTo?: (host: string, port: number) => Promise<Duplex>;
  readonly forwards: { host: string; port: number }[] = [];
  // Held commands (the host lock), kept apart from calls; each one's state for assertions.
  readonly holds: { script: string; released: boolean; exited: boolean }[] = [];
  // What a held command does; by default it prints "locked" (the host lock is free) and runs until released.
  holdWith: (script: string, io: HoldIo) => void = (_script, io) => io.locked();

  constructor(
    readonly host: string,
    private readonly rules: Rule[] = [],
  ) {}

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const stdin = options.stdin?.toString() ?? "";
    this.calls.push({ command, stdin, ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) });
    const batch = this.answerBatch(command);
    return batch !== undefined ? { code: 0, stdout: batch, stderr: "" } : this.run(command, stdin);
  }

  // The fact batch wraps each probe in markers; answer each probe as if it ran alone.
  private answerBatch(script: string): string | undefined {
    const parts = [...script.matchAll(/printf '\\n(@@\w+:\d+):begin\\n'; \( ([\s\S]*?)\n\) <\/dev\/null 2>\/dev\/null; printf '\\n@@\w+:\d+:end:%d\\n' \$\?/g)];
    if (!parts.length) return undefined;
    return parts
      .map((p) => {
        const r = this.run(p[2]!, "");
        return `\n${p[1]}:begin\n${r.stdout}\n${p[1]}:end:${r.code}\n`;
      })
      .join("");
  }

  // Answers one command from the built-in file rules or the test's own rules; unknown commands fail loudly.
  private run(command: string, stdin: string): ExecResult {
    for (const [pattern, respond] of [...this.rules, ...fileRules]) {
      const m = command.match(pattern);
      if (!m) continue;
      const r = respond(m, stdin, this);
      return typeof r === "string" ? { code: 0, stdout: r, stderr: "" } : { code: 0, stdout: "", stderr: "", ...r };
    }
    return { code: 127, stdout: "", stderr: `scripted host: no rule for: ${command}` };
  }

  async writeFile(path: string, content: string | Buffer, options: WriteFileOptions): Promise<void> {
    const text = content.toString();
    this.writes.push({ path, content: text, options });
    this.files.set(path, { content: text, mode: options.mode, owner: options.owner ?? "root", group: options.group ?? "root" });
  }

  async forward(host: string, port: number): Promise<Duplex> {
    this.forwards.push({ host, port });
    return this.forwardTo ? this.forwardTo(host, port) : new PassThrough();
  }

  async hold(script: string): Promise<HeldCommand> {
    const record = { script, released: false, exited: false };
    this.holds.push(record);
    const lines: string[] = [];
    let wake: (() => void) | undefined;
    let exitWith: (r: ExecResult) => void = () => undefined;
    const exited = new Promise<ExecResult>((resolve) => (exitWith = resolve));
    let onRelease: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (onRelease = resolve));
    const io: HoldIo = {
      print: (line) => {
        lines.push(line);
        wake?.();
      },
      exit: (code, stderr = "") => {
        if (record.exited) return;
        record.exited = true;
        exitWith({ code, stdout: "", stderr });
        wake?.();
      },
      released,
      locked: () => {
        io.print("locked");
        const done = script.match(/^echo (@@\w+:done)$/m)?.[1];
        if (!done) return;
        // Recorded like an exec: tests count the probe the same wherever it rides.
        const probe = script.match(/^\{\n([\s\S]*)\n\} 9>&-$/m)?.[1] ?? "";
        this.calls.push({ command: probe, stdin: "" });
        const out = this.answerBatch(probe) ?? "";
        for (const line of out.split("\n").slice(0, -1)) io.print(line);
        io.print(done);
      },
    };
    this.holdWith(script, io);
    return {
      exited,
      nextLine: async () => {
        for (;;) {
          if (lines.length) return lines.shift();
          if (record.exited) return undefined;
          await new Promise<void>((resolve) => (wake = resolve));
        }
      },
      release: async () => {
        record.released = true;
        onRelease();
        io.exit(0);
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  commands(): string[] {
    return this.calls.map((c) => c.command);
  }
}

const unquote = (s: string) => s.replace(/^'(.*)'$/, "$1");

// The probes and helpers the engine itself uses on files.
const fileRules: Rule[] = [
  [/^stat -c '%a %U %G' (\S+) && sha256sum \S+$/, (m, _s, h) => {
    const f = h.files.get(unquote(m[1]!));
    if (!f) return { code: 1 };
    const sha = createHash("sha256").update(f.content).digest("hex");
    return `${f.mode.toString(8)} ${f.owner} ${f.group}\n${sha}  ${unquote(m[1]!)}\n`;
  }],
  // editFile's probe: ownership line, then the whole content.
  [/^stat -c '%a %U %G' (\S+) && cat \S+$/, (m, _s, h) => {
    const f = h.files.get(unquote(m[1]!));
    if (!f) return { code: 1 };
    return `${f.mode.toString(8)} ${f.owner} ${f.group}\n${f.content}`;
  }],
  [/^cat (\S+)$/, (m, _s, h) => {
    const f = h.files.get(unquote(m[1]!));
    return f ? f.content : { code: 1, stderr: "No such file or directory" };
  }],
  [/^rm -f (\S+)$/, (m, _s, h) => (h.files.delete(unquote(m[1]!)), "")],
  [/^install -d -m 0700 \S+$/, () => ""],
  // The lock's check that the connection is still there after a held command ended.
  [/^:$/, () => ""],
];
