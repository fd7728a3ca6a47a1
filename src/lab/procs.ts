import { readFile, readdir } from "node:fs/promises";

// Processes the lab started, identified by PID plus kernel start time so a recycled PID is never signalled.

export interface ProcRecord {
  pid: number;
  // Field 22 of /proc/PID/stat (clock ticks since boot): unique together with the PID.
  start: number;
}

// /proc/PID/stat split after the command name, so field numbers are stable.
async function statFields(pid: number): Promise<string[] | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => undefined);
  if (!text) return undefined;
  // comm may contain spaces and parentheses; fields resume after the last ")".
  return text.slice(text.lastIndexOf(")") + 2).split(" ");
}

// Captures identity at start so later signals can prove they target the same process.
export async function procRecord(pid: number): Promise<ProcRecord | undefined> {
  const f = await statFields(pid);
  return f ? { pid, start: Number(f[19]) } : undefined;
}

// Alive means: same process we recorded, and not a zombie waiting to be reaped.
export async function isAlive(rec: ProcRecord | undefined): Promise<boolean> {
  if (!rec) return false;
  const f = await statFields(rec.pid);
  return !!f && Number(f[19]) === rec.start && f[0] !== "Z" && f[0] !== "X";
}

// Signals only the recorded process; a vanished or recycled PID is left alone.
export async function signal(rec: ProcRecord | undefined, sig: NodeJS.Signals): Promise<void> {
  if (!rec || !(await isAlive(rec))) return;
  try {
    process.kill(rec.pid, sig);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

// Polls rather than waits on the child: after a restart of the tool the containers are not our children.
export async function waitForExit(rec: ProcRecord | undefined, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await isAlive(rec)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

// The container's PID 1 is the child of systemd-nspawn that is PID 1 in its own PID namespace.
export async function findContainerInit(nspawn: ProcRecord): Promise<ProcRecord | undefined> {
  const tasks = await readdir(`/proc/${nspawn.pid}/task`).catch(() => [] as string[]);
  for (const task of tasks) {
    const children = await readFile(`/proc/${nspawn.pid}/task/${task}/children`, "utf8").catch(() => "");
    for (const child of children.trim().split(/\s+/).filter(Boolean).map(Number)) {
      const status = await readFile(`/proc/${child}/status`, "utf8").catch(() => "");
      const nspid = /^NSpid:\s*(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/);
      if (nspid && nspid.length > 1 && nspid[nspid.length - 1] === "1") return procRecord(child);
    }
  }
  return undefined;
}

// Polling interval helper.
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
