import { DeployError } from "../errors.js";
import { redactor } from "../secrets/redactor.js";
import type { TaskResult, TaskStatus } from "./types.js";

// A task's result line for the report.
export function result(host: string, name: string, tags: string[], status: TaskStatus, begin: number): TaskResult {
  return { host, name, tags, status, durationMs: Date.now() - begin };
}

export function failed(host: string, name: string, tags: string[], begin: number, error: unknown): TaskResult {
  return { ...result(host, name, tags, "failed", begin), error: redactor.redact(messageOf(error)) };
}

// Error text for reports: our own errors carry their message; anything else keeps its class for debugging.
export function messageOf(error: unknown): string {
  if (error instanceof DeployError) return error.message;
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
