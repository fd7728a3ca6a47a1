import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import type { Task } from "../../src/plan/types.js";
import type { TaskResult } from "../../src/report/types.js";
import { ScriptedHost } from "../helpers/scriptedHost.js";
import { runTask, type RunOptions } from "./runTask.js";

export interface User { id: string; name: string; domain_id: string; password: string; enabled: boolean }
export interface Project { id: string; name: string; domain_id: string; description?: string; enabled?: boolean }
export interface Role { id: string; name: string }
export interface Service { id: string; name: string; type: string; description?: string; enabled: boolean }
export interface Endpoint { id: string; service_id: string; interface: string; region_id: string; url: string; enabled: boolean }

export interface KeystoneState {
  users: User[];
  projects: Project[];
  roles: Role[];
  // "projectId/userId/roleId"
  assignments: Set<string>;
  services: Service[];
  endpoints: Endpoint[];
}

export const ADMIN_PASS = "Adm1n-Secret";

// The guide's state after `keystone-manage bootstrap`: admin user and project, admin/member/reader roles.
export function bootstrapped(): KeystoneState {
  return {
    users: [{ id: "u-admin", name: "admin", domain_id: "default", password: ADMIN_PASS, enabled: true }],
    projects: [{ id: "p-admin", name: "admin", domain_id: "default" }],
    roles: [{ id: "r-admin", name: "admin" }, { id: "r-member", name: "member" }, { id: "r-reader", name: "reader" }],
    assignments: new Set(["p-admin/u-admin/r-admin"]),
    services: [],
    endpoints: [],
  };
}

// An in-process Keystone v3 with in-memory state: the endpoints the tasks use, admin token checked on each.
export class FakeKeystone {
  readonly requests: { method: string; path: string; body?: unknown; token?: string }[] = [];
  private readonly tokens = new Set<string>();
  private server: http.Server | undefined;
  private next = 1;
  // Fault injection: asked for each request before it is served; a status answers with it, "hang up" drops
  // the connection without an answer.
  fault: (method: string, path: string) => number | "hang up" | undefined = () => undefined;

  constructor(readonly state: KeystoneState = bootstrapped()) {}

  // Starts on loopback and points the host's forward() at it (as the SSH tunnel to controller:5000 would).
  async attach(h: ScriptedHost): Promise<void> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const port = (this.server.address() as AddressInfo).port;
    h.forwardTo = async () => {
      const socket = net.connect(port, "127.0.0.1");
      await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
      return socket;
    };
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }

  // Requests that change state (what an apply sent).
  mutations(): string[] {
    return this.requests.filter((r) => !["GET", "HEAD"].includes(r.method) && r.path !== "/v3/auth/tokens").map((r) => `${r.method} ${r.path.replace(/\?.*/, "")}`);
  }

  private id(prefix: string): string {
    return `${prefix}-${this.next++}`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const body = text ? (JSON.parse(text) as Record<string, Record<string, unknown>>) : undefined;
    const url = new URL(req.url ?? "/", "http://controller:5000");
    const token = req.headers["x-auth-token"] as string | undefined;
    this.requests.push({ method: req.method!, path: url.pathname + url.search, ...(body ? { body } : {}), ...(token ? { token } : {}) });
    const send = (status: number, data?: unknown, headers: Record<string, string> = {}) => {
      const payload = data === undefined ? "" : JSON.stringify(data);
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(req.method === "HEAD" ? undefined : payload);
    };
    const fault = this.fault(req.method!, url.pathname);
    if (fault === "hang up") return void req.socket.destroy();
    if (fault !== undefined) return send(fault, { error: { code: fault, message: "injected" } });
    if (req.headers.host !== "controller:5000") return send(400, { error: { message: `bad host header ${req.headers.host}` } });
    if (url.pathname === "/v3/auth/tokens" && req.method === "POST") return this.auth(body, send);
    // The version document answers without credentials, as Keystone's does.
    if (url.pathname === "/v3" && req.method === "GET") return send(200, { version: { id: "v3.14", status: "stable" } });
    if (!token || !this.tokens.has(token)) return send(401, { error: { code: 401, message: "The request you have made requires authentication." } });
    const parts = url.pathname.replace(/^\/v3\//, "").split("/");
    const q = Object.fromEntries(url.searchParams);
    const s = this.state;
    const match = <T extends object>(items: T[]) => items.filter((i) => Object.entries(q).every(([k, v]) => String((i as Record<string, unknown>)[k]) === v));
    const [collection, id, sub1, sub2, sub3, sub4] = parts;
    if (collection === "projects" && sub1 === "users" && sub3 === "roles") {
      const key = `${id}/${sub2}/${sub4}`;
      const known = s.projects.some((p) => p.id === id) && s.users.some((u) => u.id === sub2) && s.roles.some((r) => r.id === sub4);
      if (!known) return send(404, { error: { code: 404 } });
      if (req.method === "HEAD") return send(s.assignments.has(key) ? 204 : 404);
      if (req.method === "PUT") return s.assignments.add(key), send(204);
    }
    if (collection === "role_assignments" && req.method === "GET") {
      // Keystone's shape with include_names: role and project scope by id and name.
      const found = [...s.assignments].map((key) => key.split("/")).filter(([, u]) => !q["user.id"] || u === q["user.id"]);
      const withNames = found.map(([p, u, r]) => {
        const project = s.projects.find((x) => x.id === p)!;
        const role = s.roles.find((x) => x.id === r)!;
        return { role: { id: r, name: role.name }, user: { id: u }, scope: { project: { id: p, name: project.name, domain: { id: project.domain_id } } } };
      });
      return send(200, { role_assignments: withNames });
    }
    const table = { users: s.users, projects: s.projects, roles: s.roles, services: s.services, endpoints: s.endpoints }[collection as "users"];
    if (!table) return send(404, { error: { code: 404 } });
    const singular = collection!.replace(/s$/, "");
    const strip = (item: object) => {
      const { password: _p, ...rest } = item as User;
      return rest;
    };
    if (req.method === "GET" && !id) return send(200, { [collection!]: match(table as object[]).map(strip) });
    if (req.method === "POST" && !id) {
      const item = { id: this.id(singular), enabled: true, ...body![singular] } as never;
      (table as object[]).push(item);
      return send(201, { [singular]: strip(item) });
    }
    const item = (table as { id: string }[]).find((i) => i.id === id);
    if (!item) return send(404, { error: { code: 404 } });
    if (req.method === "PATCH") return Object.assign(item, body![singular]), send(200, { [singular]: strip(item) });
    if (req.method === "DELETE") return (table as object[]).splice((table as object[]).indexOf(item), 1), send(204);
    return send(405, { error: { code: 405 } });
  }

  // Password authentication: 201 with X-Subject-Token for an enabled user with that password, else 401.
  private auth(body: Record<string, Record<string, unknown>> | undefined, send: (status: number, data?: unknown, headers?: Record<string, string>) => void): void {
    const identity = body?.auth?.identity as { methods: string[]; password: { user: { name: string; domain: { id: string }; password: string } } } | undefined;
    const u = identity?.password?.user;
    const user = this.state.users.find((x) => x.name === u?.name && x.domain_id === u?.domain?.id);
    if (!user || !user.enabled || user.password !== u?.password) return send(401, { error: { code: 401, message: "The request you have made requires authentication." } });
    const scope = body?.auth?.scope as { project: { name: string; domain: { id: string } } } | undefined;
    const token = `tok-${this.next++}`;
    if (scope) {
      const project = this.state.projects.find((p) => p.name === scope.project.name && p.domain_id === scope.project.domain.id);
      if (!project) return send(401, { error: { code: 401 } });
      const admin = this.state.roles.find((r) => r.name === "admin");
      if (admin && this.state.assignments.has(`${project.id}/${user.id}/${admin.id}`)) this.tokens.add(token);
    }
    send(201, { token: { user: { id: user.id } } }, { "x-subject-token": token });
  }
}

// Runs a task against a fresh fake Keystone reached through the scripted host's tunnel; `times` runs in a row
// (each a new play, so a new admin token) show whether a second run changes anything.
export async function runKeystone(
  task: Task,
  state: KeystoneState,
  options: RunOptions = {},
  times = 1,
): Promise<{ results: TaskResult[]; fake: FakeKeystone; h: ScriptedHost }> {
  const h = new ScriptedHost("h1");
  const fake = new FakeKeystone(state);
  await fake.attach(h);
  try {
    const results: TaskResult[] = [];
    for (let i = 0; i < times; i++) {
      results.push(await runTask(h, task, { ...options, vars: { keystone_admin_password: ADMIN_PASS, ...options.vars } }));
    }
    return { results, fake, h };
  } finally {
    await fake.close();
  }
}
