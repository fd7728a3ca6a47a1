import { z } from "zod";
import { backendList, backendsFromStores, storeId } from "./backends.js";
import { glanceImagesSchema } from "./images.js";
import { dbPassword, hostish, iniOverrides, port, text, url, type Vars, type VarSpec } from "./schemas.js";

// The install guide's Glance chapter: database, Keystone account and endpoints, and glance-api.conf.
export const glanceVars = {
  glance_db_name: { schema: text, default: "glance", doc: "Glance's database." },
  glance_db_user: { schema: text, default: "glance", doc: "Glance's database user (granted at localhost and %)." },
  glance_db_password: { schema: dbPassword, secret: true, doc: "Glance's database password (GLANCE_DBPASS)." },
  glance_db_host: { schema: hostish, default: (v: Vars) => v.controller_host, doc: "Host in glance's `connection =` URL." },
  glance_keystone_user: { schema: text, default: "glance", doc: "Glance's Keystone user." },
  glance_keystone_password: { schema: text, secret: true, doc: "Glance's Keystone password (GLANCE_PASS)." },
  glance_keystone_role: { schema: text, default: "admin", doc: "Role given to the glance user on the service project." },
  glance_service_name: { schema: text, default: "glance", doc: "Keystone service name." },
  glance_service_type: { schema: text, default: "image", doc: "Keystone service type." },
  glance_service_description: { schema: text, default: "OpenStack Image", doc: "Keystone service description." },
  glance_url: { schema: url, default: (v: Vars) => `http://${v.controller_host}:9292`, doc: "URL of the public, internal and admin endpoints." },
  glance_api_port: { schema: port, default: 9292, doc: "Port glance-api listens on (for health checks through the tunnel)." },
  glance_stores: {
    schema: text,
    deprecated: "glance_backends",
    doc: "Deprecated (Glance deprecated `[glance_store] stores`): the store types to enable, e.g. `file,http`; read as glance_backends with the ids `fs` for `file` and the type's name otherwise.",
  },
  glance_default_store: {
    schema: text,
    deprecated: "glance_default_backend",
    doc: "Deprecated (Glance deprecated `default_store`): the default store type; read as glance_default_backend.",
  },
  glance_filesystem_store_datadir: { schema: text, default: "/var/lib/glance/images/", doc: "Directory of the default file backend (`fs`) when glance_backends is not set." },
  glance_backends: {
    schema: backendList,
    default: (v: Vars) => backendsFromStores(v),
    doc: "Image stores, `[DEFAULT] enabled_backends`: a list of `{ id, type, ... }` (types: `file` with `datadir`, `http`). Ids are recorded with every image: never rename one. Default: `fs` (file, glance_filesystem_store_datadir) and `http`.",
  },
  glance_default_backend: {
    schema: text,
    default: (v: Vars) => (v.glance_default_store === undefined ? "fs" : storeId(String(v.glance_default_store))),
    doc: "`[glance_store] default_backend`: the id of the backend new images go to (a writable one).",
  },
  glance_staging_dir: { schema: text, default: "/var/lib/glance/os_glance_staging_store/", doc: "`[os_glance_staging_store]` directory: image data staged by interoperable import (glance:glance 0750)." },
  glance_tasks_dir: { schema: text, default: "/var/lib/glance/os_glance_tasks_store/", doc: "`[os_glance_tasks_store]` directory: Glance's task work area (glance:glance 0750)." },
  glance_paste_flavor: { schema: text, default: "keystone", doc: "[paste_deploy] flavor." },
  glance_lock_path: { schema: text, default: "/var/lib/glance/tmp", doc: "[oslo_concurrency] lock_path." },
  glance_api_conf_overrides: {
    schema: iniOverrides,
    default: {},
    sections: true,
    doc: "Extra or changed glance-api.conf keys: `{ section: { key: value } }`; any section name (`file`, `env` too), a value may be a secret reference.",
  },
  glance_template_dir: { schema: text, doc: "Directory with your own `glance-api.conf.hbs` (default: the bundled templates/)." },
  glance_min_free_mb: {
    schema: z.coerce.number().int().min(0),
    default: 1024,
    doc: "Preflight: free space required in the image store directory (MiB).",
  },
  glance_images: {
    schema: glanceImagesSchema,
    doc:
      "Image catalogue made true after glance-api runs, a list of `{ name, file or url, disk_format: qcow2, container_format: bare, visibility: public, properties: {}, checksum, state: present, replace: false }`. " +
      "An entry is uploaded when no active image of its name has the file's sha512 (a URL: its `checksum`; without one, any active image of the name counts); properties and visibility are updated in place; " +
      "other images of the name are kept unless `replace: true` (deleted once the new one is active); `state: absent` deletes every image of the name. Relative file paths are read from the working directory.",
  },
} satisfies Record<string, VarSpec>;
