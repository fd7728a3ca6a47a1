import { quote } from "shlex";
import { existsFact } from "../src/facts/host.js";
import { joinUrl } from "../src/http/tunnel.js";
import type { HostVars } from "../src/inventory/vars.js";
import { exec } from "../src/plan/actions.js";
import { flushHandlers, once, type Playbook, type Step, type Task, type TaskContext } from "../src/plan/types.js";
import { profileFor } from "../src/profiles/index.js";
import { schemaSync } from "../src/tasks/alembic.js";
import { aptPackages } from "../src/tasks/aptPackages.js";
import { command } from "../src/tasks/command.js";
import { iniSettings } from "../src/tasks/editFile.js";
import { file } from "../src/tasks/file.js";
import { keystoneProject } from "../src/tasks/keystoneProject.js";
import { mysqlDatabase } from "../src/tasks/mysqlDatabase.js";
import { mysqlUser } from "../src/tasks/mysqlUser.js";
import { restartHandler, service } from "../src/tasks/service.js";
import { waitHttp } from "../src/tasks/waitHttp.js";
import { controllerResolves, releaseSupported } from "../src/preflight/host.js";
import { adminRefusal, adminState } from "../src/preflight/keystoneAdmin.js";
import { onDatabaseHost } from "./names.js";

const db = { db: (v: HostVars) => v.keystone_db_name, user: (v: HostVars) => v.keystone_db_user };

const keystoneReady = (ctx: TaskContext) =>
  waitHttp(ctx, joinUrl(ctx.vars.keystone_url, "v3"), { accept: [200], timeoutS: ctx.vars.service_start_timeout, unit: ctx.profile.units.keystone });

// The admin's environment file from the guide, for operators on the controller (root-only: it holds the password).
export function adminOpenrc(v: HostVars) {
  const lines = {
    OS_PROJECT_DOMAIN_NAME: v.keystone_domain_name,
    OS_USER_DOMAIN_NAME: v.keystone_domain_name,
    OS_PROJECT_NAME: v.keystone_admin_project,
    OS_USERNAME: v.keystone_admin_user,
    OS_PASSWORD: v.keystone_admin_password ?? "",
    OS_AUTH_URL: joinUrl(v.keystone_url, "v3"),
    OS_IDENTITY_API_VERSION: "3",
    OS_IMAGE_API_VERSION: "2",
  };
  const content = Object.entries(lines).map(([k, val]) => `export ${k}=${quote(val)}`).join("\n") + "\n";
  return { path: "/root/admin-openrc", content, mode: 0o600, owner: "root", group: "root" };
}

export const KEYSTONE_DB_CNF = "/etc/keystone/mysql-client.cnf";

// keystone-manage (22) hands [database] connection to alembic's ConfigParser, whose %-interpolation breaks
// on a percent-encoded password (and keystone logs the URL). The password therefore lives in a client
// option file read by PyMySQL (RawConfigParser: no interpolation; one pair of quotes is removed).
export function keystoneDbCnf(v: HostVars) {
  const content = `# Managed by glance-deploy: Keystone's database password, read by PyMySQL.\n[client]\npassword = "${v.keystone_db_password ?? ""}"\n`;
  return { path: KEYSTONE_DB_CNF, content, mode: 0o640, owner: "root", group: "keystone" };
}

export function keystoneDbConnection(v: HostVars): string {
  const enc = encodeURIComponent;
  return `mysql+pymysql://${enc(v.keystone_db_user)}@${v.controller_host}/${enc(v.keystone_db_name)}?read_default_file=${KEYSTONE_DB_CNF}`;
}

// Keystone on the first controller (the install guide's one identity node), its database on the database host.
const keystoneTasks: Task[] = [
  aptPackages({ name: "Keystone packages", tags: ["keystone", "packages"], packages: (v) => profileFor(v).packages.keystone }),
  file({ name: "Keystone database client file", tags: ["keystone", "config"], notify: ["restart keystone"], render: keystoneDbCnf }),
  iniSettings({
    name: "keystone.conf",
    tags: ["keystone", "config"],
    path: (v) => profileFor(v).paths.keystoneConf,
    notify: ["restart keystone"],
    values: (v) => ({
      database: { connection: keystoneDbConnection(v) },
      token: { provider: "fernet" },
      // Each authenticated request otherwise re-validates its token against the database: with the cache a
      // request costs Keystone ~25 ms of CPU instead of ~200 ms (measured on the lab hosts).
      cache: v.keystone_cache
        ? { enabled: "true", backend: "oslo_cache.memcache_pool", memcache_servers: v.memcached_servers }
        : ({ enabled: "false" } as Record<string, string>),
    }),
  }),
  schemaSync("keystone", (v) => v.keystone_db_name, (v) => profileFor(v).paths.keystoneMigrations),
  command({
    name: "Fernet keys (keystone-manage fernet_setup)",
    tags: ["keystone"],
    fact: existsFact("/etc/keystone/fernet-keys/0"),
    needed: (present) => (present ? undefined : "create fernet keys"),
    command: () => "keystone-manage fernet_setup --keystone-user keystone --keystone-group keystone",
  }),
  command({
    name: "Credential keys (keystone-manage credential_setup)",
    tags: ["keystone"],
    fact: existsFact("/etc/keystone/credential-keys/0"),
    needed: (present) => (present ? undefined : "create credential keys"),
    command: () => "keystone-manage credential_setup --keystone-user keystone --keystone-group keystone",
  }),
  service({ name: "Keystone running", tags: ["keystone", "service"], unit: (v) => profileFor(v).units.keystone, restartedBy: "restart keystone", waitReady: keystoneReady }),
  flushHandlers("Keystone serving the new configuration", ["restart keystone"]),
  {
    name: "Keystone bootstrap (admin user, region, identity endpoints)",
    tags: ["keystone"],
    async check(ctx: TaskContext) {
      const v = ctx.vars;
      // An admin that exists with another password is changed only when the operator asks for it.
      const state = await adminState(ctx);
      if (state.kind === "accepted") return { change: false as const };
      const refusal = adminRefusal(ctx, state);
      if (refusal) throw new Error(refusal);
      const url = joinUrl(v.keystone_url, "v3/");
      const bootstrap = [
        "IFS= read -r OS_BOOTSTRAP_PASSWORD && export OS_BOOTSTRAP_PASSWORD &&",
        `keystone-manage bootstrap --bootstrap-username ${quote(v.keystone_admin_user)} --bootstrap-project-name ${quote(v.keystone_admin_project)}`,
        `--bootstrap-admin-url ${quote(url)} --bootstrap-internal-url ${quote(url)} --bootstrap-public-url ${quote(url)}`,
        `--bootstrap-region-id ${quote(v.keystone_region)}`,
      ].join(" ");
      const summary = {
        absent: "bootstrap Keystone (admin user, region, identity endpoints)",
        unscoped: "bootstrap Keystone (admin's project and role, region, identity endpoints)",
        mismatch: `change the password of Keystone's admin ${v.keystone_admin_user} to keystone_admin_password (keystone_admin_password_reset), with region and identity endpoints`,
        unknown: `bootstrap Keystone, setting the admin's password to keystone_admin_password (keystone_admin_password_reset)`,
      }[state.kind];
      return {
        change: true as const,
        summary,
        actions: [exec(bootstrap, { stdin: (v.keystone_admin_password ?? "") + "\n", timeoutMs: 120_000, what: "keystone-manage bootstrap" })],
      };
    },
  },
  keystoneProject({ name: "Project service", tags: ["keystone"], project: (v) => v.keystone_service_project, description: "Service Project" }),
  file({ name: "admin-openrc", tags: ["keystone", "config"], render: adminOpenrc }),
];

export const keystoneSteps: Step[] = [
  {
    name: "keystone",
    tasks: [
      ...once(
        [
          mysqlDatabase({ name: "Keystone database", tags: ["keystone", "database"], ...db }),
          mysqlUser({ name: "Keystone database user @localhost", tags: ["keystone", "database"], ...db, from: "localhost", password: (v) => v.keystone_db_password }),
          mysqlUser({ name: "Keystone database user @%", tags: ["keystone", "database"], ...db, from: "%", password: (v) => v.keystone_db_password }),
        ],
        onDatabaseHost,
      ),
      // flushHandlers runs on every host (only where a restart is owed); the rest is the identity node's.
      ...keystoneTasks.map((t) => (t.flushHandlers ? t : once([t])[0]!)),
    ],
  },
];

export const keystone: Playbook = {
  name: "keystone",
  group: "controller",
  requires: ["keystone_db_password", "keystone_admin_password"],
  preflight: [releaseSupported, controllerResolves],
  steps: keystoneSteps,
  handlers: [restartHandler("restart keystone", (v) => profileFor(v).units.keystone, keystoneReady)],
};
