// The exit status of each session channel, recorded from the moment the channel exists.
import { constants as osConstants } from "node:os";
import type ssh2 from "ssh2";

const exitStatuses = new WeakMap<ssh2.ClientChannel, { code?: number }>();

// Why: a fast command's exit status can arrive in the same read as the exec confirmation, and ssh2 emits it
// synchronously, before an awaiting caller could listen: so the exec callback records it here, at once.
export function recordExitStatus(channel: ssh2.ClientChannel): void {
  const status: { code?: number } = {};
  channel.once("exit", (exitCode: number | null, signal?: string) => {
    status.code = exitCode ?? signalExitCode(signal);
  });
  exitStatuses.set(channel, status);
}

// Filled in once the channel's exit arrives; `code` stays undefined if the session ended without one.
export function exitStatusOf(channel: ssh2.ClientChannel): { code?: number } {
  const status = exitStatuses.get(channel);
  if (!status) throw new Error("exit status requested for a channel that was not recorded");
  return status;
}

// Why: shells report death by signal as 128+N; tasks compare codes, not signal names.
function signalExitCode(signal: string | undefined): number {
  const number = signal ? osConstants.signals[signal as keyof typeof osConstants.signals] : undefined;
  return number !== undefined ? 128 + number : 255;
}
