import { joinUrl } from "../src/http/tunnel.js";
import type { HostVars } from "../src/inventory/vars.js";
import { concurrently, flushHandlers, type Playbook, type TaskContext } from "../src/plan/types.js";
import { alembicFact, alembicReason } from "../src/tasks/alembic.js";
import { aptPackages } from "../src/tasks/aptPackages.js";
import { command } from "../src/tasks/command.js";
import { file } from "../src/tasks/file.js";
import { glanceVerify } from "../src/tasks/glanceVerify.js";
import { keystoneEndpoint } from "../src/tasks/keystoneEndpoint.js";
import { keystoneRoleAssignment } from "../src/tasks/keystoneRoleAssignment.js";
import { keystoneService } from "../src/tasks/keystoneService.js";
import { keystoneUser } from "../src/tasks/keystoneUser.js";
import { mysqlDatabase } from "../src/tasks/mysqlDatabase.js";
import { mysqlUser } from "../src/tasks/mysqlUser.js";
import { restartHandler, service } from "../src/tasks/service.js";
import { waitHttp } from "../src/tasks/waitHttp.js";
import { glanceApiConf } from "./glanceConfig.js";
import { glanceService } from "./names.js";
import { controllerResolves, imageStoreSpace, keystoneAnswers, mariadbReachable } from "./preflight.js";

const GLANCE_MIGRATIONS = "/usr/lib/python3/dist-packages/glance/db/sqlalchemy/alembic_migrations/versions";
const db = { db: (v: HostVars) => v.glance_db_name, user: (v: HostVars) => v.glance_db_user };

// glance-api answers its health check through the tunnel (or the journal says why not).
export const glanceReady = (ctx: TaskContext) =>
  waitHttp(ctx, joinUrl(ctx.vars.glance_url, "healthcheck"), { accept: [200], timeoutS: ctx.vars.service_start_timeout, unit: "glance-api" });

const endpoint = (iface: "public" | "internal" | "admin") =>
  keystoneEndpoint({
    name: `Endpoint image ${iface}`,
    tags: ["glance", "keystone"],
    service: glanceService,
    interface: iface,
    region: (v) => v.keystone_region,
    url: (v) => v.glance_url,
  });

// The install guide's Glance chapter, each step idempotent; verification closes the play. The package
// install, the database and the Keystone records do not depend on each other: they run side by side.
export const glanceTasks = [
  ...concurrently(
    "glance prerequisites",
    [aptPackages({ name: "Glance packages", tags: ["glance", "packages"], packages: ["glance", "python3-glanceclient"] })],
    [
      mysqlDatabase({ name: "Glance database", tags: ["glance", "database"], ...db }),
      mysqlUser({ name: "Glance database user @localhost", tags: ["glance", "database"], ...db, from: "localhost", password: (v) => v.glance_db_password }),
      mysqlUser({ name: "Glance database user @%", tags: ["glance", "database"], ...db, from: "%", password: (v) => v.glance_db_password }),
    ],
    [
      keystoneUser({ name: "Keystone user glance", tags: ["glance", "keystone"], user: (v) => v.glance_keystone_user, password: (v) => v.glance_keystone_password }),
      keystoneRoleAssignment({
        name: "Role admin for glance on project service",
        tags: ["glance", "keystone"],
        user: (v) => v.glance_keystone_user,
        project: (v) => v.keystone_service_project,
        role: (v) => v.glance_keystone_role,
      }),
      keystoneService({ name: "Service glance (image)", tags: ["glance", "keystone"], service: glanceService }),
      endpoint("public"),
      endpoint("internal"),
      endpoint("admin"),
    ],
  ),
  file({ name: "glance-api.conf", tags: ["glance", "config"], notify: ["restart glance-api"], render: glanceApiConf }),
  command({
    name: "Glance schema at head (glance-manage db_sync)",
    tags: ["glance", "database"],
    fact: (v) => alembicFact(v, v.glance_db_name, GLANCE_MIGRATIONS),
    needed: (state) => alembicReason(state),
    command: () => `su -s /bin/sh -c "glance-manage db_sync" glance`,
    timeoutMs: 600_000,
  }),
  service({ name: "glance-api running", tags: ["glance", "service"], unit: "glance-api", restartedBy: "restart glance-api", waitReady: glanceReady }),
  flushHandlers("glance-api serving the new configuration", ["restart glance-api"]),
  // A full upload after any change; on an unchanged host the health and version checks suffice.
  glanceVerify({ name: "Verify Glance", tags: ["glance", "verify"], upload: (ctx) => ctx.changed.length > 0 }),
];

export const glanceHandlers = [restartHandler("restart glance-api", "glance-api", glanceReady)];

export const glance: Playbook = {
  name: "glance",
  group: "controller",
  requires: ["glance_db_password", "glance_keystone_password", "keystone_admin_password"],
  preflight: [controllerResolves, mariadbReachable, keystoneAnswers, imageStoreSpace],
  tasks: glanceTasks,
  handlers: glanceHandlers,
};

// `glance-deploy verify`: the same verification, always with an upload.
export const verify: Playbook = {
  name: "verify",
  group: "controller",
  requires: ["keystone_admin_password"],
  preflight: [keystoneAnswers],
  tasks: [glanceVerify({ name: "Verify Glance", tags: ["verify"], upload: () => true })],
};
