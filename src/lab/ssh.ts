import { execa } from "execa";
import { UsageError } from "../errors.js";
import { labPaths, type LabPaths } from "./paths.js";
import { readState, type HostState, type LabState } from "./state.js";

// Reaching lab hosts with the OpenSSH client, the lab key and the lab's own known_hosts (strict: the lab
// wrote every host key itself, so any other key is a real mismatch).

// Options shared by `lab ssh`, labExec and the readiness check, so all three see hosts the same way.
export function sshArgs(state: Pick<LabState, "key" | "knownHosts">, host: HostState, user = "root", extra: readonly string[] = []): string[] {
  return [
    "-i", state.key,
    "-o", "IdentitiesOnly=yes",
    "-o", `UserKnownHostsFile=${state.knownHosts}`,
    "-o", "GlobalKnownHostsFile=/dev/null",
    "-o", "StrictHostKeyChecking=yes",
    "-o", "BatchMode=yes",
    "-o", "ConnectTimeout=10",
    "-o", "LogLevel=ERROR",
    ...extra,
    `${user}@${host.address}`,
  ];
}

// Finds a host of the running lab by inventory name or address.
export async function labHost(name: string, paths: LabPaths = labPaths()): Promise<{ state: LabState; host: HostState }> {
  const state = await readState(paths.labFile);
  if (!state) throw new UsageError(`no lab is up (nothing recorded in ${paths.labFile}); run: glance-deploy lab up`);
  const host = state.hosts.find((h) => h.name === name || h.address === name);
  if (!host) throw new UsageError(`no lab host "${name}"; the lab has: ${state.hosts.map((h) => h.name).join(", ")}`);
  return { state, host };
}

export interface LabExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

// Runs one shell command on a lab host and returns its outcome (tests and the CLI's status use this).
export async function labExec(name: string, command: string, options: { user?: string; timeoutMs?: number; paths?: LabPaths } = {}): Promise<LabExecResult> {
  const { state, host } = await labHost(name, options.paths);
  const r = await execa("ssh", [...sshArgs(state, host, options.user), "--", command], {
    reject: false,
    stdin: "ignore",
    encoding: "utf8",
    timeout: options.timeoutMs ?? 10 * 60_000,
  });
  return { code: r.exitCode ?? -1, stdout: String(r.stdout ?? ""), stderr: String(r.stderr ?? "") };
}
