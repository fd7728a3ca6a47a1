import { connect } from "node:net";
import { labPaths, type LabPaths } from "./paths.js";
import { isAlive } from "./procs.js";
import { labExec } from "./ssh.js";
import { labStateRelease, readState, type LabState } from "./state.js";

export interface HostStatus {
  name: string;
  address: string;
  // Container processes alive (both nspawn and the container's systemd).
  running: boolean;
  nspawnPid?: number;
  initPid?: number;
  // `systemctl is-system-running` over SSH, or why it could not be asked.
  system: string;
  // Set when `lab upgrade` moved the host to another release than the lab's.
  upgradedTo?: string;
}

export interface LabStatus {
  up: boolean;
  state?: LabState;
  // Debian release of the lab's base (a host that `lab upgrade` moved on says so in its state's upgradedTo).
  release?: string;
  hosts: HostStatus[];
}

// What is recorded and what is actually alive, host by host, asked over the same SSH path the deploy uses.
export async function labStatus(options: { paths?: LabPaths } = {}): Promise<LabStatus> {
  const paths = options.paths ?? labPaths();
  const state = await readState(paths.labFile);
  if (!state) return { up: false, hosts: [] };
  const hosts = await Promise.all(
    state.hosts.map(async (h): Promise<HostStatus> => {
      const running = (await isAlive(h.nspawn)) && (await isAlive(h.init));
      let system = "stopped";
      if (running) {
        if (!(await portOpen(h.address, 22))) system = "sshd not reachable";
        else {
          const r = await labExec(h.name, "systemctl is-system-running", { paths, timeoutMs: 15_000 });
          system = r.stdout.trim() || `ssh failed: ${r.stderr.trim().split("\n").pop() ?? r.code}`;
        }
      }
      return { name: h.name, address: h.address, running, nspawnPid: h.nspawn?.pid, initPid: h.init?.pid, system, ...(h.upgradedTo ? { upgradedTo: h.upgradedTo } : {}) };
    }),
  );
  return { up: hosts.some((h) => h.running), state, release: labStateRelease(state), hosts };
}

// A cheap pre-check so a dead sshd reads as such instead of as an ssh timeout.
function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 2000 });
    const done = (ok: boolean) => (s.destroy(), resolve(ok));
    s.once("connect", () => done(true)).once("timeout", () => done(false)).once("error", () => done(false));
  });
}
