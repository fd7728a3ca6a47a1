import type { HostSummary, TaskResult } from "./types.js";

// What a play tells its observers as it goes (progress views, plain logs); the report is built from the same.
export interface PlayEvents {
  hostStart?(host: string): void;
  taskStart?(host: string, task: string): void;
  taskEnd?(result: TaskResult): void;
  hostEnd?(host: string, summary: HostSummary): void;
  // Verbose-only progress line.
  log?(host: string, message: string): void;
  // A long transfer's state (bytes, rate, time left), sent up to twice a second while it runs.
  progress?(host: string, text: string): void;
  // A line the operator sees whatever the verbosity: the play is waiting, or owes something from an earlier run.
  notice?(host: string, message: string): void;
}
