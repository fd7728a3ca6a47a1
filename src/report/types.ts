// The report is the contract of `--json`: version 1, one document, every string passed through the redactor.
export type TaskStatus = "ok" | "changed" | "failed" | "skipped";

export interface TaskResult {
  host: string;
  name: string;
  tags: string[];
  status: TaskStatus;
  durationMs: number;
  // One-line description of the change (made, or that would be made in check mode).
  summary?: string;
  diff?: string;
  // What the change runs (or, in check mode, would run) on the host: commands, file writes, requests.
  actions?: string[];
  error?: string;
}

export interface HostSummary {
  ok: number;
  changed: number;
  failed: number;
  skipped: number;
  unreachable: boolean;
  // Why the host stopped (unreachable, preflight, failed task, interrupted).
  error?: string;
}

export interface PlayReport {
  version: 1;
  playbook: string;
  check: boolean;
  durationMs: number;
  hosts: Record<string, HostSummary>;
  tasks: TaskResult[];
}
