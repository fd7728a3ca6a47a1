import type { HostVars } from "../inventory/vars.js";
import type { TaskContext } from "../plan/types.js";
import { redactor } from "../secrets/redactor.js";
import type { Transport } from "../transport/types.js";
import { joinUrl, tunnelRequest, type HttpResponse } from "./tunnel.js";

export class KeystoneError extends Error {}

// Keystone's v3 REST API through the tunnel, with one admin token reused by every task of the play.
export class Keystone {
  private cachedToken: string | undefined;
  constructor(
    private readonly t: Transport,
    private readonly vars: HostVars,
  ) {}

  // One client per host per play, so the token is fetched once.
  static for(ctx: TaskContext): Keystone {
    let k = ctx.shared.get("keystone") as Keystone | undefined;
    if (!k) ctx.shared.set("keystone", (k = new Keystone(ctx.t, ctx.vars)));
    return k;
  }

  private url(path: string): string {
    return joinUrl(joinUrl(this.vars.keystone_url, "v3"), path);
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
    return tunnelRequest(this.t, this.url("auth/tokens"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      timeoutMs: 15_000,
    });
  }

  // The admin token (project-scoped), fetched once per play; also used for Glance's API.
  async token(): Promise<string> {
    return this.adminToken();
  }

  private async adminToken(): Promise<string> {
    if (this.cachedToken) return this.cachedToken;
    const password = this.vars.keystone_admin_password;
    if (!password) throw new KeystoneError("keystone_admin_password is not set");
    const r = await this.authenticate(this.vars.keystone_admin_user, password, this.vars.keystone_admin_project);
    if (r.status !== 201) {
      throw new KeystoneError(`Keystone refused the admin credentials (HTTP ${r.status}): check keystone_admin_user/keystone_admin_password`);
    }
    const token = r.headers["x-subject-token"];
    if (typeof token !== "string") throw new KeystoneError("Keystone returned no token");
    redactor.add(token);
    return (this.cachedToken = token);
  }

  // An authenticated JSON call; non-2xx statuses other than the allowed ones become errors.
  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, allow: number[] = []): Promise<{ status: number; data: T }> {
    const r = await tunnelRequest(this.t, this.url(path), {
      method,
      headers: { "x-auth-token": await this.adminToken(), ...(body ? { "content-type": "application/json" } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
      timeoutMs: 15_000,
    });
    if ((r.status < 200 || r.status >= 300) && !allow.includes(r.status)) {
      const detail = r.body.toString("utf8").slice(0, 300).replace(/\s+/g, " ");
      throw new KeystoneError(redactor.redact(`Keystone ${method} /v3/${path}: HTTP ${r.status} ${detail}`));
    }
    const text = r.body.toString("utf8");
    return { status: r.status, data: (text ? JSON.parse(text) : {}) as T };
  }

  // Lists a collection filtered by query parameters (names, types, ids).
  async list<T>(collection: string, query: Record<string, string>): Promise<T[]> {
    const qs = new URLSearchParams(query).toString();
    const { data } = await this.call<Record<string, T[]>>("GET", `${collection}?${qs}`);
    return data[collection] ?? [];
  }

  // The single item of a name lookup, or undefined; several is a state this tool never creates.
  async findOne<T extends { id: string }>(collection: string, query: Record<string, string>): Promise<T | undefined> {
    const items = await this.list<T>(collection, query);
    return items[0];
  }
}
