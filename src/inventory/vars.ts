import { z } from "zod";

// Every inventory variable the tool knows, with its default and one line of documentation. This table is
// the single source for validation, for defaults and for the README's variable reference; an unknown
// variable is an error so a typo never silently falls back to a default.

const text = z.string().min(1).refine((v) => !/[\r\n\0]/.test(v), "must be a single line");
const port = z.coerce.number().int().min(1).max(65535);
const seconds = z.coerce.number().positive().max(86400);
const flag = z.union([z.boolean(), z.enum(["true", "false", "yes", "no"]).transform((v) => v === "true" || v === "yes")]);
const url = text.refine((v) => /^https?:\/\/[^\s/]+/.test(v) && URL.canParse(v), "must be an http(s) URL");
const hostish = text.refine((v) => /^[A-Za-z0-9._:-]+$/.test(v), "must be a host name or address");
const iniValue = z.union([z.string(), z.number(), z.boolean()]).refine(
  (v) => typeof v !== "string" || !/[\r\n\0]/.test(v),
  "must be a single line (newlines would break the INI file)",
);
const iniName = z.string().regex(/^[A-Za-z0-9_.:-]+$/, "must be a plain INI section or key name");
const overrides = z.record(iniName, z.record(iniName, iniValue));
// Services reach MariaDB through PyMySQL, which encodes passwords as Latin-1.
const dbPassword = text.refine((v) => /^[\u0000-\u00ff]*$/.test(v), "PyMySQL sends database passwords as Latin-1: use only Latin-1 characters");

type Vars = Record<string, unknown>;
interface VarSpec {
  schema: z.ZodType;
  // A value, or a function of the other (already defaulted) variables, evaluated in table order.
  default?: unknown | ((v: Vars) => unknown);
  doc: string;
  // Inline values of secret variables draw a warning and are registered with the redactor.
  secret?: boolean;
}

// Defaults follow the install guide; a function default lets one change (controller_host) flow through.
export const varSpecs = {
  ansible_host: { schema: hostish, default: undefined, doc: "Address or name to SSH to (default: the host's inventory name)." },
  ansible_port: { schema: port, default: 22, doc: "SSH port." },
  ansible_user: { schema: text, default: "root", doc: "SSH user." },
  ansible_ssh_private_key_file: { schema: text, doc: "Private key file; ssh-agent (SSH_AUTH_SOCK) is offered too." },
  ansible_become: { schema: flag, default: false, doc: "Run commands through `sudo -n` when the user is not root." },
  ssh_known_hosts_file: { schema: text, doc: "Project known_hosts file, checked before ~/.ssh/known_hosts; new keys are recorded here." },
  ssh_host_key_policy: { schema: z.enum(["strict", "accept-new"]), default: "accept-new", doc: "Unknown host keys: refuse (strict) or record (accept-new). A changed key is always refused." },
  ssh_connect_timeout: { schema: seconds, default: 10, doc: "Seconds to wait for the SSH handshake." },
  management_address: { schema: hostish, default: (v: Vars) => v.ansible_host, doc: "Address MariaDB and memcached listen on; `controller` must resolve to it." },
  controller_host: { schema: hostish, default: "controller", doc: "Name every service uses to reach the controller." },
  mysql_admin_user: { schema: text, default: "root", doc: "MariaDB administrative user (socket auth when no password is set)." },
  mysql_admin_password: { schema: text, secret: true, doc: "Password of the MariaDB admin user; leave unset for unix-socket auth as root." },
  mysql_port: { schema: port, default: 3306, doc: "MariaDB port." },
  keystone_db_name: { schema: text, default: "keystone", doc: "Keystone's database." },
  keystone_db_user: { schema: text, default: "keystone", doc: "Keystone's database user." },
  keystone_db_password: { schema: dbPassword, secret: true, doc: "Keystone's database password (KEYSTONE_DBPASS)." },
  keystone_admin_user: { schema: text, default: "admin", doc: "Keystone admin user." },
  keystone_admin_password: { schema: text, secret: true, doc: "Keystone admin password (ADMIN_PASS)." },
  keystone_admin_project: { schema: text, default: "admin", doc: "Keystone admin project." },
  keystone_domain: { schema: text, default: "default", doc: "Domain id of users and projects (the guide's `default`)." },
  keystone_domain_name: { schema: text, default: "Default", doc: "Domain name used in service configs (project/user_domain_name)." },
  keystone_region: { schema: text, default: "RegionOne", doc: "Region of every endpoint." },
  keystone_url: { schema: url, default: (v: Vars) => `http://${v.controller_host}:5000`, doc: "Keystone URL (www_authenticate_uri, auth_url, bootstrap endpoints)." },
  keystone_service_project: { schema: text, default: "service", doc: "Project that holds service users." },
  memcached_port: { schema: port, default: 11211, doc: "memcached port." },
  memcached_servers: { schema: text, default: (v: Vars) => `${v.controller_host}:${v.memcached_port}`, doc: "memcached servers: [keystone_authtoken] memcached_servers, and Keystone's cache." },
  keystone_cache: {
    schema: flag,
    default: true,
    doc: "Keystone's cache (oslo.cache in memcached at memcached_servers), as Keystone's docs advise for production: validated tokens and lookups are served from it. Not in the guide; false leaves [cache] off.",
  },
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
  glance_stores: { schema: text, default: "file,http", doc: "[glance_store] stores." },
  glance_default_store: { schema: text, default: "file", doc: "[glance_store] default_store." },
  glance_filesystem_store_datadir: { schema: text, default: "/var/lib/glance/images/", doc: "[glance_store] filesystem_store_datadir." },
  glance_paste_flavor: { schema: text, default: "keystone", doc: "[paste_deploy] flavor." },
  glance_lock_path: { schema: text, default: "/var/lib/glance/tmp", doc: "[oslo_concurrency] lock_path." },
  glance_api_conf_overrides: { schema: overrides, default: {}, doc: "Extra or changed glance-api.conf keys: `{ section: { key: value } }`." },
  glance_template_dir: { schema: text, doc: "Directory with your own `glance-api.conf.hbs` (default: the bundled templates/)." },
  glance_min_free_mb: { schema: z.coerce.number().int().min(0), default: 1024, doc: "Preflight: free space required in the image store directory (MiB)." },
  apt_lock_timeout: { schema: seconds, default: 300, doc: "Seconds to wait for the dpkg lock before failing." },
  service_start_timeout: { schema: seconds, default: 60, doc: "Seconds to wait for a restarted API to answer." },
  host_lock_timeout: { schema: seconds, default: 300, doc: "Seconds to wait for another deploy on the same host to finish (host lock) before failing." },
  verify_image_file: { schema: text, doc: "Local qcow2 file uploaded by verify." },
  verify_image_url: { schema: url, doc: "URL of the qcow2 verify uploads (when no file is set); fetched by the tool." },
  verify_image_name: { schema: text, default: "glance-deploy-verify", doc: "Name of the verification image." },
  keep_verify_image: { schema: flag, default: false, doc: "Keep the verification image instead of deleting it." },
} satisfies Record<string, VarSpec>;

export type VarName = keyof typeof varSpecs;
type Specs = typeof varSpecs;
type Out<K extends VarName> = z.output<Specs[K]["schema"]>;
// Variables with a default are always present after applyDefaults; the rest may be unset.
export type HostVars = { [K in VarName as Specs[K] extends { default: unknown } ? K : never]: Out<K> } & {
  [K in VarName as Specs[K] extends { default: unknown } ? never : K]?: Out<K>;
};

export const secretVarNames = (Object.keys(varSpecs) as VarName[]).filter(
  (k) => (varSpecs[k] as VarSpec).secret === true,
);

// One block of variables (all.vars, a group's vars or a host's own): every key known, every value typed.
export const varsBlockSchema = z.strictObject(
  Object.fromEntries(Object.entries(varSpecs).map(([k, s]) => [k, (s as VarSpec).schema.optional()])) as Record<
    VarName,
    z.ZodOptional<z.ZodType>
  >,
);

// Fills defaults in table order so a default may depend on variables above it.
export function applyDefaults(hostName: string, vars: Vars): HostVars {
  const out: Vars = { ...vars };
  out.ansible_host ??= hostName;
  for (const [name, spec] of Object.entries(varSpecs) as [string, VarSpec][]) {
    if (out[name] !== undefined || spec.default === undefined) continue;
    out[name] = typeof spec.default === "function" ? (spec.default as (v: Vars) => unknown)(out) : spec.default;
  }
  return out as HostVars;
}
