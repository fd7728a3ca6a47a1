import { DeployError, UnreachableError } from "../errors.js";
import { FactStore, type FactSpec } from "../facts/batch.js";
import { osReleaseFact } from "../facts/osRelease.js";
import { pendingHandlersFact } from "../facts/state.js";
import { PendingHandlers } from "../handlers/pending.js";
import { Keystone } from "../http/keystone.js";
import { MariadbAdmin } from "../tasks/mysql.js";
import type { InventoryHost } from "../inventory/load.js";
import type { GroupView, TaskContext } from "../plan/types.js";
import { profileFor, profiles } from "../profiles/index.js";
import type { PlayEvents } from "../report/events.js";
import { failed, messageOf } from "../report/results.js";
import type { HostSummary, PlayReport, TaskResult } from "../report/types.js";
import { redactor } from "../secrets/redactor.js";
import type { Transport } from "../transport/types.js";
import { acquireHostLock, HostLockInterruptedError, type HostLock } from "./hostLock.js";

export interface SessionOptions {
  connect: (host: InventoryHost) => Promise<Transport>;
  check: boolean;
  group: GroupView;
  report: PlayReport;
  events?: PlayEvents;
  signal?: AbortSignal;
}

// One host's part of a play, kept across steps: its connection, host lock, facts, pending handlers and tally.
// A host that fails is marked out and takes no part in later steps.
export class HostSession {
  readonly summary: HostSummary = { ok: 0, changed: 0, failed: 0, skipped: 0, unreachable: false };
  ctx!: TaskContext;
  pending!: PendingHandlers;
  private lock: HostLock | undefined;
  // Set once a check-mode change was not made: later checks may then fail only because of it.
  wouldHaveChanged = false;

  constructor(
    readonly host: InventoryHost,
    private readonly options: SessionOptions,
  ) {
    options.report.hosts[host.name] = this.summary;
  }

  get name(): string {
    return this.host.name;
  }

  // Still taking part: connected and nothing failed.
  get live(): boolean {
    return this.ctx !== undefined && this.summary.error === undefined && this.summary.failed === 0;
  }

  record(r: TaskResult): void {
    const clean = redactor.redactValue(r);
    this.options.report.tasks.push(clean);
    this.summary[clean.status]++;
    this.options.events?.taskEnd?.(clean);
  }

  // Stops this host's play with its one-line reason (the first reason wins).
  stop(error: unknown, unreachable = error instanceof UnreachableError): void {
    this.summary.unreachable ||= unreachable;
    this.summary.error ??= redactor.redact(typeof error === "string" ? error : messageOf(error));
  }

  async connect(): Promise<void> {
    const { events } = this.options;
    events?.hostStart?.(this.name);
    if (this.options.signal?.aborted) return this.stop("interrupted before start", false);
    const begin = Date.now();
    let t: Transport;
    try {
      t = await this.options.connect(this.host);
    } catch (error) {
      return this.stop(error, error instanceof UnreachableError || !(error instanceof DeployError));
    }
    events?.log?.(this.name, `connected (${Date.now() - begin} ms)`);
    let keystone: Keystone | undefined;
    let mariadb: MariadbAdmin | undefined;
    const ctx: TaskContext = {
      host: this.host,
      vars: this.host.vars,
      t,
      facts: new FactStore(t),
      check: this.options.check,
      group: this.options.group,
      profile: profileFor(this.host.vars),
      get keystone() {
        return (keystone ??= new Keystone(ctx));
      },
      get mariadb() {
        return (mariadb ??= new MariadbAdmin(ctx));
      },
      changed: [],
      notified: () => false,
      log: (message) => events?.log?.(this.name, redactor.redact(message)),
      progress: (text) => events?.progress?.(this.name, redactor.redact(text)),
    };
    this.ctx = ctx;
  }

  // Takes the host lock and reads the facts in the same round trip; then the release decides the profile.
  async probe(specs: FactSpec<unknown>[]): Promise<void> {
    const ctx = this.ctx;
    const all = [pendingHandlersFact, osReleaseFact, ...specs];
    const batch = ctx.facts.batch(all);
    const begin = Date.now();
    try {
      this.lock = await acquireHostLock(ctx.t, {
        timeoutS: ctx.vars.host_lock_timeout,
        notice: (message) => this.notice(message),
        readOnly: ctx.check,
        privilege: { user: ctx.vars.ansible_user, become: ctx.vars.ansible_become },
        ...(this.options.signal ? { signal: this.options.signal } : {}),
        ...(batch ? { then: batch.script } : {}),
      });
    } catch (error) {
      // Not having the lock fails the host like a task would (counted, reported, in the recap); an interrupt
      // while waiting is not a failure of the host.
      if (!(error instanceof HostLockInterruptedError)) this.record(failed(this.name, "host lock", ["always"], begin, error));
      throw error;
    }
    if (batch && this.lock?.output !== undefined) batch.read(this.lock.output, 0);
    // Whatever the lock's probe could not carry (facts fed a secret on stdin; transports without a lock).
    await ctx.facts.gather(all);
    ctx.log(`host lock held, ${all.length} facts read (${Date.now() - begin} ms)`);
    this.pending = new PendingHandlers(ctx.t, await ctx.facts.get(pendingHandlersFact), !ctx.check);
    ctx.notified = (name) => this.pending.has(name);
    // An inventory that names no release follows the host's own (the release preflight reports a mismatch).
    const detected = (await ctx.facts.get(osReleaseFact)).codename;
    if (ctx.vars.os_release === undefined && detected && profiles[detected] && detected !== ctx.profile.release) {
      ctx.vars = { ...ctx.vars, os_release: detected } as typeof ctx.vars;
      ctx.profile = profileFor(ctx.vars);
      await ctx.facts.gather(specs);
    }
  }

  // A line the operator sees whatever the verbosity (waiting for the lock, restarts owed).
  notice(message: string): void {
    this.options.events?.notice?.(this.name, redactor.redact(message));
  }

  async close(): Promise<void> {
    await this.lock?.release().catch(() => undefined);
    await this.ctx?.t.close().catch(() => undefined);
    this.options.events?.hostEnd?.(this.name, this.summary);
  }
}
