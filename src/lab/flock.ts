import { spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { LabError } from "./errors.js";

// Waiting locks for what labs share across processes (the machine's network, a cache being built). The
// kernel's flock(2), held by a flock(1) child: it is released when the holder ends, however it ends (its stdin
// closes when this process dies), so there is no stale lock to take over and no race in taking one over.

export interface FileLockOptions {
  // What the lock guards, for messages: "the lab network", "the lab cache build".
  what: string;
  timeoutMs: number;
  // Called once when the lock is not free at once: someone else (another lab) holds it.
  onWait?: () => void;
}

const TIMED_OUT = 75;

// Runs fn while holding an exclusive lock on path, waiting up to timeoutMs for it.
export async function withFileLock<T>(path: string, options: FileLockOptions, fn: () => Promise<T>): Promise<T> {
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  const holder = spawn(
    "flock",
    ["--exclusive", "--timeout", String(Math.max(1, Math.ceil(options.timeoutMs / 1000))), "--conflict-exit-code", String(TIMED_OUT), path, "sh", "-c", "echo locked; exec cat >/dev/null"],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  const exited = new Promise<number>((resolve) => {
    holder.once("exit", (code, sig) => resolve(code ?? (sig ? 128 : -1)));
    holder.once("error", () => resolve(-1));
  });
  holder.stdin.on("error", () => undefined);
  let stderr = "";
  holder.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const locked = new Promise<boolean>((resolve) => {
    let out = "";
    holder.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (out.includes("locked\n")) resolve(true);
    });
    void exited.then(() => resolve(false));
  });
  const waiting = setTimeout(() => options.onWait?.(), 300);
  const got = await locked;
  clearTimeout(waiting);
  if (!got) {
    const code = await exited;
    if (code === TIMED_OUT) throw new LabError(`gave up waiting for ${options.what} after ${options.timeoutMs / 1000} s: another lab holds ${path}`);
    throw new LabError(`cannot lock ${options.what} (${path}): flock exited ${code}${stderr.trim() ? `: ${stderr.trim()}` : ""}`);
  }
  try {
    return await fn();
  } finally {
    // EOF ends `cat`, flock(1) exits and the kernel drops the lock.
    holder.stdin.end();
    await exited;
  }
}
