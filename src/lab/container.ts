import { readFile } from "node:fs/promises";
import { connect } from "node:net";
import { execa } from "execa";
import { LabError } from "./errors.js";
import { findContainerInit, isAlive, procRecord, signal, sleep, waitForExit, type ProcRecord } from "./procs.js";
import { probe } from "./run.js";
import { CACHES_MOUNT, REPO_MOUNT } from "./base.js";

// One lab host = one systemd-nspawn container booting systemd in its own network namespace.

export interface ContainerSpec {
  // The host name inside (lab1), which several labs may share.
  name: string;
  // nspawn's machine name, unique on the machine: it names the veth and nspawn's runtime files.
  machine: string;
  root: string;
  repo: string;
  // The lab cache root, bound at CACHES_MOUNT.
  caches: string;
  bridge: string;
  consoleLog: string;
}

export interface ContainerPids {
  nspawn: ProcRecord;
  init?: ProcRecord;
}

// Flags observed to work on these machines (no systemd as the machine's PID 1, cgroup v1): no machined
// registration, stay in the caller's cgroup, legacy hierarchy inside.
export function nspawnArgs(spec: ContainerSpec): string[] {
  return [
    "--quiet",
    "--register=no",
    "--keep-unit",
    "--boot",
    `--directory=${spec.root}`,
    `--machine=${spec.machine}`,
    `--hostname=${spec.name}`,
    `--network-bridge=${spec.bridge}`,
    `--bind-ro=${spec.repo}:${REPO_MOUNT}`,
    `--bind-ro=${spec.caches}:${CACHES_MOUNT}`,
    "--console=read-only",
    "--link-journal=no",
    "--resolv-conf=off",
    "--timezone=off",
  ];
}

// Starts the container in its own session (so it outlives this process) and records its PIDs at once.
export async function startContainer(spec: ContainerSpec): Promise<ProcRecord> {
  // execa would pipe a log file through this process (and break it when we exit); the shell opens it for
  // nspawn instead and then execs it, so the recorded PID is nspawn's own.
  const child = execa("sh", ["-c", 'exec "$0" "$@" >>"$LAB_CONSOLE_LOG" 2>&1', "systemd-nspawn", ...nspawnArgs(spec)], {
    detached: true,
    cleanup: false,
    reject: false,
    stdio: "ignore",
    env: { SYSTEMD_NSPAWN_UNIFIED_HIERARCHY: "0", LAB_CONSOLE_LOG: spec.consoleLog },
  });
  // The promise settles when the container ends, possibly long after this process moved on.
  void child.catch(() => undefined);
  child.unref();
  const pid = child.pid;
  const rec = pid !== undefined ? await procRecord(pid) : undefined;
  if (!rec) throw new LabError(`${spec.name}: systemd-nspawn did not start${await consoleTail(spec.consoleLog)}`);
  return rec;
}

// Waits until nspawn has forked the container's systemd; fails early if nspawn died (bad flags, busy name).
export async function waitForInit(name: string, nspawn: ProcRecord, consoleLog: string, timeoutMs: number): Promise<ProcRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const init = await findContainerInit(nspawn);
    if (init) return init;
    if (!(await isAlive(nspawn))) throw new LabError(`${name}: systemd-nspawn exited during start${await consoleTail(consoleLog)}`);
    if (Date.now() > deadline) throw new LabError(`${name}: container init did not appear within ${timeoutMs} ms`);
    await sleep(20);
  }
}

// Sets the address from outside as well (idempotent with the unit inside), retrying until nspawn moved host0 in.
export async function configureNetwork(name: string, init: ProcRecord, cidr: string, timeoutMs: number, consoleLog: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const ns = ["--target", String(init.pid), "--net"];
  for (;;) {
    const r = await probe("nsenter", [...ns, "sh", "-c", `ip link set lo up && ip address replace ${cidr} dev host0 && ip link set host0 up`]);
    if (r.code === 0) return;
    if (!(await isAlive(init))) throw new LabError(`${name}: container stopped while its network was being configured${await consoleTail(consoleLog)}`);
    if (Date.now() > deadline) throw new LabError(`${name}: could not configure host0: ${r.stderr.trim()}`);
    await sleep(50);
  }
}

// sshd listening is the first sign the host is usable; polled cheaply with TCP connects.
export async function waitForPort(name: string, address: string, port: number, init: ProcRecord, consoleLog: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await tcpOpen(address, port, 500))) {
    if (!(await isAlive(init))) throw new LabError(`${name}: container stopped during boot${await consoleTail(consoleLog)}`);
    if (Date.now() > deadline) throw new LabError(`${name}: sshd on ${address}:${port} not reachable after ${timeoutMs / 1000} s${await consoleTail(consoleLog)}`);
    await sleep(100);
  }
}

// One connect attempt with its own timeout; errors are just "not yet".
function tcpOpen(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("connect", () => done(true));
    socket.once("timeout", () => done(false));
    socket.once("error", () => done(false));
  });
}

// A short clean poweroff, then SIGKILL to the container's PID 1, which ends every process inside at once
// (a clean poweroff can hang for minutes on user@0.service). nspawn exits when its container does.
export async function stopContainer(pids: ContainerPids, graceMs: number): Promise<void> {
  if (!(await isAlive(pids.nspawn)) && !(await isAlive(pids.init))) return;
  if (graceMs > 0 && (await isAlive(pids.nspawn))) {
    await signal(pids.nspawn, "SIGTERM");
    if (await waitForExit(pids.nspawn, graceMs)) return;
  }
  await signal(pids.init, "SIGKILL");
  if (pids.init) await waitForExit(pids.init, 5000);
  if (await waitForExit(pids.nspawn, 5000)) return;
  await signal(pids.nspawn, "SIGKILL");
  if (!(await waitForExit(pids.nspawn, 5000))) throw new LabError(`systemd-nspawn (PID ${pids.nspawn.pid}) did not exit after SIGKILL`);
}

// The container's console explains most boot failures; its tail goes into the error message.
export async function consoleTail(path: string): Promise<string> {
  const text = await readFile(path, "utf8").catch(() => "");
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").trim();
  return clean ? `; console (last lines):\n${clean.split("\n").slice(-12).join("\n")}` : "";
}
