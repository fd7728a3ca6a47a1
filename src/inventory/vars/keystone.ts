import { dbPassword, flag, text, url, type Vars, type VarSpec } from "./schemas.js";

// Keystone's database, its admin account and the identity settings the other services authenticate with.
export const keystoneVars = {
  keystone_db_name: { schema: text, default: "keystone", doc: "Keystone's database." },
  keystone_db_user: { schema: text, default: "keystone", doc: "Keystone's database user." },
  keystone_db_password: { schema: dbPassword, secret: true, doc: "Keystone's database password (KEYSTONE_DBPASS)." },
  keystone_admin_user: { schema: text, default: "admin", doc: "Keystone admin user." },
  keystone_admin_password: { schema: text, secret: true, doc: "Keystone admin password (ADMIN_PASS)." },
  keystone_admin_project: { schema: text, default: "admin", doc: "Keystone admin project." },
  keystone_domain: { schema: text, default: "default", doc: "Domain id of users and projects (the guide's `default`)." },
  keystone_domain_name: { schema: text, default: "Default", doc: "Domain name used in service configs (project/user_domain_name)." },
  keystone_region: { schema: text, default: "RegionOne", doc: "Region of every endpoint." },
  keystone_url: {
    schema: url,
    default: (v: Vars) => `http://${v.controller_host}:5000`,
    doc: "Keystone URL (www_authenticate_uri, auth_url, bootstrap endpoints).",
  },
  keystone_service_project: { schema: text, default: "service", doc: "Project that holds service users." },
  keystone_cache: {
    schema: flag,
    default: true,
    doc: "Keystone's cache (oslo.cache in memcached at memcached_servers), as Keystone's docs advise for production: validated tokens and lookups are served from it. Not in the guide; false leaves [cache] off.",
  },
  keystone_admin_password_reset: {
    schema: flag,
    default: false,
    doc: "Set Keystone's admin password to keystone_admin_password when the admin exists with another one. Off: such a mismatch stops the play before any change, naming this variable (changing it locks out everyone who uses the current one).",
  },
} satisfies Record<string, VarSpec>;
