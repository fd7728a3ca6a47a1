import { createHash } from "node:crypto";
import { STATE_DIR, TOKEN_CACHE, tokenCacheFact } from "../facts/state.js";
import type { HostVars } from "../inventory/vars.js";
import type { TaskContext } from "../plan/types.js";
import { redactor } from "../secrets/redactor.js";
import type { Transport } from "../transport/types.js";
import { joinUrl, tunnelRequest, type HttpResponse } from "./tunnel.js";

export class KeystoneError extends Error {}

// What a token was issued for: a different URL, user, project or password means a new login.
function tokenScope(vars: HostVars): string {
  const parts = [vars.keystone_url, vars.keystone_admin_user, vars.keystone_admin_project, vars.keystone_domain, vars.keystone_admin_password ?? ""];
  return createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 32);
}

// Keystone's v3 REST API through one host's tunnel, with one admin token reused by every task of the play.
// The engine builds one per host session (TaskContext.keystone).
export class Keystone {
  private cachedToken: string | undefined;
  private tokenPending: Promise<string> | undefined;
  private readonly lookups = new Map<string, Promise<unknown[]>>();
  private readonly passwordChecks = new Map<string, Promise<number>>();
  private readonly t: Transport;
  private readonly vars: HostVars;
  constructor(private readonly ctx: TaskContext) {
    this.t = ctx.t;
    this.vars = ctx.vars;
  }

  private url(path: string): string {
    return joinUrl(joinUrl(this.vars.keystone_url, "v3"), path);
  }

  // Whether a user's password is the given one (HTTP 201) or not (401); one login per user and password
  // per play, however many tasks ask.
  passwordStatus(user: string, password: string): Promise<number> {
    const key = `${this.generation()}\0${user}\0${password}`;
    let pending = this.passwordChecks.get(key);
    if (!pending) {
      pending = this.authenticate(user, password).then((r) => r.status);
      this.passwordChecks.set(key, pending);
      // Only a clear yes (201) or no (401) is worth keeping; a failing Keystone is asked again.
      pending.then((status) => status !== 201 && status !== 401 && this.passwordChecks.delete(key), () => this.passwordChecks.delete(key));
    }
    return pending;
  }

  // Password authentication; returns the response so callers can tell 401 (wrong password) from errors.
  async authenticate(user: string, password: string, project?: string): Promise<HttpResponse> {
    const domain = { id: this.vars.keystone_domain };
    const body = {
      auth: {
        identity: { methods: ["password"], password: { user: { name: user, domain, password } } },
        ...(project ? { scope: { project: { name: project, domain } } } : {}),
      },
    };
    // A login changes nothing in Keystone (it only issues a token), so it is repeated like a read.
    const send = () =>
      tunnelRequest(this.t, this.url("auth/tokens"), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        timeoutMs: 15_000,
      });
    return this.withReadRetry("GET", send, false);
  }

  // The admin token (project-scoped), fetched once per play; also used for Glance's API.
  async token(): Promise<string> {
    return this.adminToken();
  }

  // Remembered answers belong to a state of the host: once a task changed something (a restart, a bootstrap,
  // a package), they are asked again.
  private generation(): number {
    return this.ctx.changed.length;
  }

  // Concurrent first calls share one login.
  private adminToken(): Promise<string> {
    if (this.cachedToken) return Promise.resolve(this.cachedToken);
    this.tokenPending ??= this.login().finally(() => (this.tokenPending = undefined));
    return this.tokenPending;
  }

  // A cached token from an earlier run when it is for the same scope and valid for ten more minutes.
  private async login(): Promise<string> {
    const scope = tokenScope(this.vars);
    const cached = await this.ctx.facts.get(tokenCacheFact()).catch(() => undefined);
    if (cached && cached.scope === scope && cached.expires > Date.now() + 600_000 && !this.cacheRejected) {
      return (this.cachedToken = cached.token);
    }
    const token = await this.passwordLogin();
    if (!this.ctx.check) {
      const expires = this.lastExpiry ?? Date.now() + 600_000;
      await this.t.exec(`install -d -m 0700 ${STATE_DIR}`);
      await this.t.writeFile(TOKEN_CACHE, `${scope}\t${expires}\t${token}\n`, { mode: 0o600 });
    }
    return token;
  }

  private cacheRejected = false;
  private lastExpiry: number | undefined;

  private async passwordLogin(): Promise<string> {
    const password = this.vars.keystone_admin_password;
    if (!password) throw new KeystoneError("keystone_admin_password is not set");
    const r = await this.authenticate(this.vars.keystone_admin_user, password, this.vars.keystone_admin_project);
    if (r.status !== 201) {
      throw new KeystoneError(`Keystone refused the admin credentials (HTTP ${r.status}): check keystone_admin_user/keystone_admin_password`);
    }
    const token = r.headers["x-subject-token"];
    if (typeof token !== "string") throw new KeystoneError("Keystone returned no token");
    redactor.add(token);
    const expiresAt = (JSON.parse(r.body.toString("utf8")) as { token?: { expires_at?: string } }).token?.expires_at;
    this.lastExpiry = expiresAt ? Date.parse(expiresAt) : undefined;
    return (this.cachedToken = token);
  }

  // An authenticated JSON call; non-2xx statuses other than the allowed ones become errors.
  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, allow: number[] = []): Promise<{ status: number; data: T }> {
    const send = async () =>
      tunnelRequest(this.t, this.url(path), {
        method,
        headers: { "x-auth-token": await this.adminToken(), ...(body ? { "content-type": "application/json" } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        timeoutMs: 15_000,
      });
    let r = await this.withReadRetry(method, send);
    if (r.status === 401) {
      // Changing the admin's password (bootstrap) revokes its tokens, and a cached one may be revoked or
      // expired early: log in with the password again, once.
      this.cachedToken = undefined;
      this.cacheRejected = true;
      r = await send();
    }
    // A write makes every remembered lookup stale.
    if (method !== "GET" && method !== "HEAD") {
      this.lookups.clear();
      this.passwordChecks.clear();
    }
    if ((r.status < 200 || r.status >= 300) && !allow.includes(r.status)) {
      const detail = r.body.toString("utf8").slice(0, 300).replace(/\s+/g, " ");
      throw new KeystoneError(redactor.redact(`Keystone ${method} /v3/${path}: HTTP ${r.status} ${detail}`));
    }
    const text = r.body.toString("utf8");
    return { status: r.status, data: (text ? JSON.parse(text) : {}) as T };
  }

  // Keystone 22 answers 500 ("'Enforcer' object has no attribute '_warning_emitted'") when a freshly started
  // worker gets concurrent first requests (a race in its policy enforcer's lazy set-up), and a worker being
  // recycled drops its connection: reads are safe to repeat, so a GET gets two more tries after 0.25 s and 0.5 s.
  // On a freshly booted clone under load one admin lookup was also answered 403 (identity:list_services) that
  // the same token passed moments later, so a GET's 403 is asked again too (a real 403 stays one).
  private async withReadRetry(method: string, send: () => Promise<HttpResponse>, retryForbidden = true): Promise<HttpResponse> {
    if (method !== "GET") return send();
    const again = (status: number) => status >= 500 || (retryForbidden && status === 403);
    for (let attempt = 0, delay = 250; ; attempt++, delay *= 2) {
      const r = await send().catch((error: Error) => (attempt < 2 && /socket hang up|ECONNRESET/.test(error.message) ? undefined : Promise.reject(error)));
      if (r && (!again(r.status) || attempt >= 2)) return r;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  // Lists a collection filtered by query parameters (names, types, ids). Answers are shared by every task
  // of the play (concurrent identical lookups become one request) until anything is written.
  async list<T>(collection: string, query: Record<string, string>): Promise<T[]> {
    const path = `${collection}?${new URLSearchParams(query).toString()}`;
    const key = `${this.generation()}\0${path}`;
    let pending = this.lookups.get(key);
    if (!pending) {
      pending = this.call<Record<string, unknown[]>>("GET", path).then(({ data }) => data[collection] ?? []);
      this.lookups.set(key, pending);
      pending.catch(() => this.lookups.delete(key));
    }
    return (await pending) as T[];
  }

  // The single item of a name lookup, or undefined; several is a state this tool never creates.
  async findOne<T extends { id: string }>(collection: string, query: Record<string, string>): Promise<T | undefined> {
    const items = await this.list<T>(collection, query);
    return items[0];
  }
}
