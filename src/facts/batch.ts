import { randomBytes } from "node:crypto";
import type { Transport } from "../transport/types.js";

// A fact is a read-only probe of host state: a shell snippet and a parser for what it prints.
export interface FactSpec<T> {
  // Unique per distinct probe (e.g. "file:/etc/glance/glance-api.conf"), so tasks share one reading.
  key: string;
  command: string;
  // A probe that needs a secret gets it on stdin and therefore runs on its own, outside the batch.
  stdin?: string;
  parse(stdout: string, code: number): T;
}

export interface RawFact {
  stdout: string;
  code: number;
}

// Facts of one host for one play: filled by one batched exec, re-read singly after a change invalidates them.
export class FactStore {
  private readonly raw = new Map<string, RawFact>();
  constructor(private readonly t: Transport) {}

  // Runs every not-yet-known spec in a single remote shell, so a converged run costs one round trip.
  async gather(specs: FactSpec<unknown>[]): Promise<void> {
    const alone = this.unknown(specs).filter((s) => s.stdin !== undefined);
    const batch = this.batch(specs);
    const batched = batch && this.t.exec(batch.script).then((r) => batch.read(r.stdout, r.code));
    await Promise.all([...alone.map((s) => this.get(s)), batched]);
  }

  // The not-yet-known specs without stdin as one script, plus the reader of what it prints: gather runs it,
  // or another command carries it (the host lock, saving a round trip). Undefined when nothing is left.
  batch(specs: FactSpec<unknown>[]): { script: string; read(stdout: string, code: number): void } | undefined {
    const list = this.unknown(specs).filter((s) => s.stdin === undefined);
    if (list.length === 0) return undefined;
    const nonce = randomBytes(6).toString("hex");
    const script = list
      .map((s, i) => `printf '\\n@@${nonce}:${i}:begin\\n'; ( ${s.command}\n) </dev/null 2>/dev/null; printf '\\n@@${nonce}:${i}:end:%d\\n' $?`)
      .join("\n");
    const read = (stdout: string, code: number) => {
      const pattern = new RegExp(`\\n@@${nonce}:(\\d+):begin\\n([\\s\\S]*?)\\n@@${nonce}:\\1:end:(\\d+)\\n`, "g");
      for (const m of stdout.matchAll(pattern)) {
        this.raw.set(list[Number(m[1])]!.key, { stdout: m[2]!, code: Number(m[3]) });
      }
      for (const s of list) {
        if (!this.raw.has(s.key)) throw new Error(`fact probe ${s.key} produced no result (exit ${code})`);
      }
    };
    return { script, read };
  }

  // Specs not read yet, each key once.
  private unknown(specs: FactSpec<unknown>[]): FactSpec<unknown>[] {
    return [...new Map(specs.filter((s) => !this.raw.has(s.key)).map((s) => [s.key, s])).values()];
  }

  // Reads a fact, probing it alone when the batch did not include it or a change invalidated it.
  async get<T>(spec: FactSpec<T>): Promise<T> {
    if (!this.raw.has(spec.key)) {
      const r = await this.t.exec(spec.command, spec.stdin !== undefined ? { stdin: spec.stdin } : {});
      this.raw.set(spec.key, { stdout: r.stdout, code: r.code });
    }
    const raw = this.raw.get(spec.key)!;
    return spec.parse(raw.stdout, raw.code);
  }

  // Forgets facts whose key starts with a prefix, after an apply made them stale.
  invalidate(prefix = ""): void {
    for (const key of [...this.raw.keys()]) if (key.startsWith(prefix)) this.raw.delete(key);
  }
}
