import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { UsageError } from "../errors.js";
import { isAlive, procRecord } from "./procs.js";

// One lab operation at a time per state directory: two `lab up`s would fight over the bridge and mounts.

// Runs fn holding the lock; a lock left by a dead process (PID + start time no longer alive) is taken over.
export async function withLabLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const me = await procRecord(process.pid);
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(path, JSON.stringify(me), { flag: "wx", mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw lockError(path, error);
      const holder = await readFile(path, "utf8").then((t) => JSON.parse(t) as { pid: number; start: number }, () => undefined);
      if (holder && (await isAlive(holder))) throw new UsageError(`another glance-deploy lab command (PID ${holder.pid}) is running on ${dirname(path)}`);
      // Left by a process that died: take it over.
      await rm(path, { force: true });
    }
  }
  try {
    return await fn();
  } finally {
    await rm(path, { force: true });
  }
}

// Keeps UsageErrors as they are and explains any other failure to create the lock file.
function lockError(path: string, error: unknown): Error {
  return error instanceof UsageError ? error : new UsageError(`cannot take the lab lock ${path}: ${(error as Error).message}`);
}
