import { quote } from "shlex";
import type { FactSpec } from "./batch.js";

// Plain questions about the host (name resolution, free space, a path's presence), for preflight checks and
// for steps that run once and leave a file behind.

export const resolvesFact = (name: string): FactSpec<boolean> => ({
  key: `getent:${name}`,
  // Bounded: a dead resolver would otherwise hold the whole probe for its retries.
  command: `timeout 5 getent hosts ${quote(name)}`,
  parse: (_out, code) => code === 0,
});

// Free KiB under a directory, or under its nearest existing parent (the store directory comes with the package).
export const freeKbFact = (dir: string): FactSpec<number> => ({
  key: `df:${dir}`,
  command: `d=${quote(dir)}; while [ ! -d "$d" ]; do d=$(dirname "$d"); done; timeout 5 df -Pk "$d" | tail -1`,
  parse: (out) => Number(out.trim().split(/\s+/)[3]),
});

// Whether a path exists: enough for steps whose only trace is the file they create (fernet keys).
export const existsFact = (path: string): FactSpec<boolean> => ({
  key: `exists:${path}`,
  command: `test -e ${quote(path)}`,
  parse: (_: string, code: number) => code === 0,
});
