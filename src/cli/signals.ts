import { constants } from "node:os";
import { errorDocument, writeJsonDocument } from "./jsonOutput.js";

// SIGINT (Ctrl-C) and SIGTERM (what `timeout`, systemd and CI send) mean the same: the first one lets the
// task in hand finish or be abandoned, keeps pending handlers and releases the host locks, and the run
// reports and exits non-zero; a second one exits at once with 128 + the signal's number.
export function handleInterrupts(abort: AbortController, say: (line: string) => void, json: boolean): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (abort.signal.aborted) {
      const code = 128 + constants.signals[signal];
      if (json) writeJsonDocument(errorDocument(code, `interrupted again (${signal}): exited at once, without a report`));
      process.exit(code);
    }
    say(`interrupted: finishing the current task, keeping pending handlers (${signal === "SIGINT" ? "Ctrl-C" : signal} again to exit now)`);
    abort.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}
