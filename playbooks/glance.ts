import { joinUrl } from "../src/http/tunnel.js";
import type { HostVars } from "../src/inventory/vars.js";
import { concurrently, flushHandlers, once, type Playbook, type Step, type TaskContext } from "../src/plan/types.js";
import { profileFor } from "../src/profiles/index.js";
import { schemaSync } from "../src/tasks/alembic.js";
import { aptPackages } from "../src/tasks/aptPackages.js";
import { directories } from "../src/tasks/directory.js";
import { file } from "../src/tasks/file.js";
import { storeDirectories } from "../src/stores/index.js";
import { keystoneEndpoint } from "../src/tasks/keystoneEndpoint.js";
import { keystoneRoleAssignment } from "../src/tasks/keystoneRoleAssignment.js";
import { keystoneService } from "../src/tasks/keystoneService.js";
import { keystoneUser } from "../src/tasks/keystoneUser.js";
import { mysqlDatabase } from "../src/tasks/mysqlDatabase.js";
import { mysqlUser } from "../src/tasks/mysqlUser.js";
import { restartHandler, service } from "../src/tasks/service.js";
import { waitHttp } from "../src/tasks/waitHttp.js";
import { glanceApiConf } from "./glanceConfig.js";
import { controllerResolves, imageStoreSpace, releaseSupported } from "../src/preflight/host.js";
import { keystoneAnswers, mariadbReachable } from "../src/preflight/services.js";
import { glanceVerification } from "../src/verify/glance.js";
import { glanceImage } from "../src/tasks/glanceImage.js";
import { glanceService, onDatabaseHost } from "./names.js";

const db = { db: (v: HostVars) => v.glance_db_name, user: (v: HostVars) => v.glance_db_user };

// glance-api answers its health check through the tunnel (or the journal says why not).
export const glanceReady = (ctx: TaskContext) =>
  waitHttp(ctx, joinUrl(ctx.vars.glance_url, "healthcheck"), { accept: [200], timeoutS: ctx.vars.service_start_timeout, unit: ctx.profile.units.glanceApi });

const endpoint = (iface: "public" | "internal" | "admin") =>
  keystoneEndpoint({
    name: `Endpoint image ${iface}`,
    tags: ["glance", "keystone"],
    service: glanceService,
    interface: iface,
    region: (v) => v.keystone_region,
    url: (v) => v.glance_url,
  });

// The install guide's Glance chapter as steps over the controllers, each step finished on every host before the
// next begins. Database and Keystone records are made once for the group (the database work on the database
// host), alongside the package install on every host; the schema is synchronised once, after every host has its
// configuration; then every host's glance-api runs.
export const glanceSteps: Step[] = [
  {
    name: "glance prerequisites",
    tasks: concurrently(
      "glance prerequisites",
      [aptPackages({ name: "Glance packages", tags: ["glance", "packages"], packages: (v) => profileFor(v).packages.glance })],
      once(
        [
          mysqlDatabase({ name: "Glance database", tags: ["glance", "database"], ...db }),
          mysqlUser({ name: "Glance database user @localhost", tags: ["glance", "database"], ...db, from: "localhost", password: (v) => v.glance_db_password }),
          mysqlUser({ name: "Glance database user @%", tags: ["glance", "database"], ...db, from: "%", password: (v) => v.glance_db_password }),
        ],
        onDatabaseHost,
      ),
      once([
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
      ]),
    ),
  },
  {
    name: "glance configuration",
    tasks: [
      directories({ name: "Image store directories", tags: ["glance", "config"], paths: storeDirectories, mode: 0o750, owner: "glance", group: "glance" }),
      file({ name: "glance-api.conf", tags: ["glance", "config"], notify: ["restart glance-api"], render: glanceApiConf }),
    ],
  },
  {
    name: "glance schema",
    tasks: once(
      [
        schemaSync("glance", (v) => v.glance_db_name, (v) => profileFor(v).paths.glanceMigrations),
      ],
      onDatabaseHost,
    ),
  },
  {
    name: "glance-api",
    tasks: [
      service({ name: "glance-api running", tags: ["glance", "service"], unit: (v) => profileFor(v).units.glanceApi, restartedBy: "restart glance-api", waitReady: glanceReady }),
      flushHandlers("glance-api serving the new configuration", ["restart glance-api"]),
    ],
  },
  // The operator's image catalogue, once glance-api serves: through the catalogue endpoint, once for the group.
  { name: "glance images", tasks: once([glanceImage({ name: "Glance image catalogue", tags: ["glance", "images"], images: (v) => v.glance_images })]) },
];

export const glanceHandlers = [restartHandler("restart glance-api", (v) => profileFor(v).units.glanceApi, glanceReady)];

export const glance: Playbook = {
  name: "glance",
  group: "controller",
  requires: ["glance_db_password", "glance_keystone_password", "keystone_admin_password"],
  preflight: [releaseSupported, controllerResolves, mariadbReachable, keystoneAnswers, imageStoreSpace],
  steps: glanceSteps,
  handlers: glanceHandlers,
  // A full upload after any change; on an unchanged group the health and version checks suffice.
  verify: glanceVerification({ tags: ["glance", "verify"], upload: (changed) => changed }),
};

// `glance-deploy verify`: the same verification, always with an upload.
export const verify: Playbook = {
  name: "verify",
  group: "controller",
  requires: ["keystone_admin_password"],
  preflight: [releaseSupported, keystoneAnswers],
  tasks: [],
  verify: glanceVerification({ tags: ["verify"], upload: () => true }),
};
