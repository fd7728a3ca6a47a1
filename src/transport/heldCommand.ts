// A command kept running on its own session for as long as the caller needs it (the host lock): its stdout read
// line by line, its end reported once, whether it exited or the connection went away.
import type ssh2 from "ssh2";
import type { ExecResult, HeldCommand } from "./types.js";

export interface HeldCommandHooks {
  // Called once when the channel closes, so the transport can free the session slot.
  closed(): void;
  // Why the connection is gone, if it is.
  lostReason(): string | undefined;
  // How long release() waits for the server to confirm the close.
  graceMs: number;
}

// `status` is filled by the channel's exit event, recorded from the moment the channel was opened.
export function heldCommand(channel: ssh2.ClientChannel, status: { code?: number }, hooks: HeldCommandHooks): HeldCommand {
  const lines: string[] = [];
  let partial = "";
  let wake: (() => void) | undefined;
  let done = false;
  const stderr: Buffer[] = [];
  channel.on("data", (chunk: Buffer) => {
    const parts = (partial + chunk.toString("utf8")).split("\n");
    partial = parts.pop()!;
    lines.push(...parts);
    wake?.();
  });
  channel.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  const exited = new Promise<ExecResult>((resolve) => {
    channel.on("close", () => {
      hooks.closed();
      done = true;
      wake?.();
      const code = status.code;
      const lost = code === undefined ? `\nconnection lost (${hooks.lostReason() ?? "session ended without an exit status"})` : "";
      resolve({ code: code ?? 255, stdout: "", stderr: Buffer.concat(stderr).toString("utf8") + lost });
    });
  });
  return {
    exited,
    nextLine: async () => {
      for (;;) {
        if (lines.length) return lines.shift();
        if (done) return undefined;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    },
    release: async () => {
      if (!done) channel.end();
      await Promise.race([exited, new Promise((r) => setTimeout(r, hooks.graceMs).unref())]);
    },
  };
}
