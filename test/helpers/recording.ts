// A transport that passes everything to the real SSH transport and keeps a record of what was sent: every
// command (with whether it carried stdin), every file write, every held script (the host lock) and tunnel.
import type { Duplex } from "node:stream";
import type { InventoryHost } from "../../src/inventory/load.js";
import { sshTargetFor } from "../../src/inventory/target.js";
import { SshTransport } from "../../src/transport/ssh.js";
import type { ExecOptions, ExecResult, HeldCommand, Transport, WriteFileOptions } from "../../src/transport/types.js";

export interface Sent {
  host: string;
  kind: "exec" | "write" | "hold" | "forward";
  text: string;
  stdin?: string;
}

export function recordingConnect(sent: Sent[]): (host: InventoryHost) => Promise<Transport> {
  return async (host) => {
    const t = await SshTransport.connect(sshTargetFor(host));
    const note = (kind: Sent["kind"], text: string, stdin?: string) => sent.push({ host: host.name, kind, text, ...(stdin !== undefined ? { stdin } : {}) });
    const recording: Transport = {
      host: t.host,
      exec(command: string, options?: ExecOptions): Promise<ExecResult> {
        note("exec", command, options?.stdin?.toString());
        return t.exec(command, options);
      },
      writeFile(path: string, content: string | Buffer, options: WriteFileOptions): Promise<void> {
        note("write", path);
        return t.writeFile(path, content, options);
      },
      forward(to: string, port: number): Promise<Duplex> {
        note("forward", `${to}:${port}`);
        return t.forward(to, port);
      },
      hold(script: string): Promise<HeldCommand> {
        note("hold", script);
        return t.hold(script);
      },
      close: () => t.close(),
    };
    return recording;
  };
}

// What a read-only command never contains: a way to change a file, a package, a unit, a database or the
// tool's own state. Redirections to /dev/null and closing the lock's descriptor (9>&-) are reads.
const WRITES: [RegExp, string][] = [
  [/(^|[^0-9&])>>?\s*(?!\/dev\/null|&)/m, "redirects output into a file"],
  [/\b(mkdir|install|rm|mv|cp|chmod|chown|tee|touch|ln|truncate|dd|sed -i)\b/, "changes files"],
  [/\bapt(-get)?\s+(install|update|upgrade|remove|purge)\b|\bdpkg\s+-(i|r|P)\b/, "changes packages"],
  [/\bsystemctl\s+(start|stop|restart|reload|enable|disable|reset-failed|mask|daemon-reload)\b/, "changes units"],
  [/\b(keystone|glance)-manage\b/, "runs a service's management command"],
  // A statement, not a word inside a query (e.g. the probe's 'grant' tag).
  [/(^|[;'"(]\s*|\n)(CREATE|ALTER|GRANT|REVOKE|INSERT|UPDATE|DELETE|DROP|FLUSH)\s/i, "writes to the database"],
  [/exec\s+9>/, "creates the lock file"],
];

// The reasons a sent command or script would write; [] for a read.
export function writesOf(s: Sent): string[] {
  if (s.kind === "write") return [`writes ${s.text}`];
  if (s.kind === "forward") return [];
  const text = `${s.text}\n${s.stdin ?? ""}`;
  return WRITES.filter(([re]) => re.test(text)).map(([, why]) => why);
}
