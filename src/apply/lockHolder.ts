import { hostname, userInfo } from "node:os";
import { quote } from "shlex";

// Who holds a host's lock, so a run that has to wait can say for whom. The holder writes one line into the lock
// file once it holds the lock (its process on the machine running the tool, that machine, the user, and the
// remote shell that keeps the lock open as fd 9). A waiter trusts that line only while that shell is alive with
// the lock file open; otherwise it names the process the kernel lists for the lock (/proc/locks: the process
// that took it, e.g. `flock FILE command` by hand) if that one still runs. Start times come from /proc.

export const RECORD_TAG = "glance-deploy";

// Shell that writes this run's line into the lock file (the lock must be held; the file is root-only).
export function writeHolderScript(lockFile: string, tool = toolIdentity()): string {
  const line = `${RECORD_TAG} pid=${tool.pid} machine=${tool.machine} user=${tool.user} remote=`;
  return `printf '%s%s since=%s\\n' ${quote(line)} "$$" "$(date -u +%s)" > ${lockFile}`;
}

// Shell that prints the holder as one tab-separated line: pid, process name, start (epoch s), the file's line.
export function describeHolderScript(lockFile: string): string {
  return [
    `hr=$(head -n 1 ${lockFile} 2>/dev/null | tr -d '\\t' | cut -c 1-300)`,
    `rp=$(printf '%s' "$hr" | sed -n 's/^${RECORD_TAG} .* remote=\\([0-9][0-9]*\\) .*$/\\1/p')`,
    `if [ -n "$rp" ] && [ "$(readlink /proc/$rp/fd/9 2>/dev/null)" = ${lockFile} ]; then hp=$rp; else`,
    `  ino=$(stat -c %i ${lockFile} 2>/dev/null)`,
    `  hp=$(awk -v ino="$ino" '$2 == "FLOCK" { n = split($6, a, ":"); if (a[n] == ino) { print $5; exit } }' /proc/locks 2>/dev/null)`,
    `fi`,
    `hc=; hs=`,
    `if [ -n "$hp" ] && [ -r /proc/$hp/stat ]; then`,
    `  hc=$(tr -d '\\t\\n' < /proc/$hp/comm)`,
    // Field 22 of stat is the start in clock ticks after boot; the name in parentheses may hold spaces.
    `  ht=$(sed 's/^.*) //' /proc/$hp/stat | awk '{ print $20 }')`,
    `  bt=$(awk '$1 == "btime" { print $2 }' /proc/stat)`,
    `  hs=$((bt + ht / $(getconf CLK_TCK)))`,
    // The process that took the lock may be gone while a child it passed the descriptor to holds it.
    `else hp=; fi`,
    `printf 'busy\\t%s\\t%s\\t%s\\t%s\\n' "$hp" "$hc" "$hs" "$hr"`,
  ].join("\n");
}

export interface ToolIdentity {
  pid: number;
  machine: string;
  user: string;
}

function toolIdentity(): ToolIdentity {
  const user = (() => {
    try {
      return userInfo().username;
    } catch {
      return String(process.getuid?.() ?? "unknown");
    }
  })();
  // Names go into a shell word and a one-line record: keep them plain.
  const plain = (s: string) => s.replace(/[^\w.@-]/g, "_").slice(0, 64);
  return { pid: process.pid, machine: plain(hostname()), user: plain(user) };
}

// The waiter's view of the holder, as words for the operator ("glance-deploy process 123 on ops1 (user root),
// since 2026-11-29 00:55:02 UTC"); undefined when nothing is known (an old script, a host without /proc/locks).
export function holderFromBusyLine(line: string): string | undefined {
  const [, pid = "", comm = "", since = "", record = ""] = line.split("\t");
  if (!pid) return undefined;
  const when = since ? `, since ${formatEpoch(Number(since))}` : "";
  const fields = Object.fromEntries(
    record
      .split(" ")
      .slice(1)
      .map((kv) => kv.split("=") as [string, string]),
  );
  if (record.startsWith(`${RECORD_TAG} `) && fields.remote === pid) {
    const started = fields.since ? `, since ${formatEpoch(Number(fields.since))}` : when;
    return `glance-deploy process ${fields.pid} on ${fields.machine} (user ${fields.user})${started}`;
  }
  return `process ${pid}${comm ? ` (${comm})` : ""} on the host${when}`;
}

function formatEpoch(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return "an unknown time";
  return new Date(seconds * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}
