import { port, text, type Vars, type VarSpec } from "./schemas.js";

// memcached_servers is built from memcached_port, so the port stays first.
export const memcachedVars = {
  memcached_port: { schema: port, default: 11211, doc: "memcached port." },
  memcached_servers: {
    schema: text,
    default: (v: Vars) => `${v.controller_host}:${v.memcached_port}`,
    doc: "memcached servers: [keystone_authtoken] memcached_servers, and Keystone's cache.",
  },
} satisfies Record<string, VarSpec>;
