import { PENDING_FILE, STATE_DIR } from "../facts/state.js";
import type { Transport } from "../transport/types.js";

// Rewrites the whole set (root-only file) or removes the file when nothing is pending.
export async function savePendingHandlers(t: Transport, names: Iterable<string>): Promise<void> {
  const list = [...new Set(names)].sort();
  if (list.length === 0) {
    await t.exec(`rm -f ${PENDING_FILE}`);
    return;
  }
  await t.exec(`install -d -m 0700 ${STATE_DIR}`);
  await t.writeFile(PENDING_FILE, list.join("\n") + "\n", { mode: 0o600 });
}

// The handlers a host owes, mirrored to the host file whenever the set changes (never in check mode).
export class PendingHandlers {
  private readonly names: Set<string>;
  private saved: string;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly t: Transport,
    onHost: string[],
    private readonly persist: boolean,
  ) {
    this.names = new Set(onHost);
    this.saved = serialize(this.names);
  }

  // What is owed now, sorted.
  list(): string[] {
    return [...this.names].sort();
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  async add(names: string[]): Promise<void> {
    names.forEach((n) => this.names.add(n));
    await this.sync();
  }

  async done(name: string): Promise<void> {
    this.names.delete(name);
    await this.sync();
  }

  // Writes one at a time, each with the set as it is when its turn comes: tasks running side by side
  // (concurrent lanes) cannot let an older set land last.
  private async sync(): Promise<void> {
    const write = this.writing.then(async () => {
      const now = serialize(this.names);
      if (!this.persist || now === this.saved) return;
      await savePendingHandlers(this.t, this.names);
      this.saved = now;
    });
    this.writing = write.catch(() => undefined);
    await write;
  }
}

function serialize(names: Set<string>): string {
  return [...names].sort().join("\n");
}
