import type { Playbook } from "../src/plan/types.js";
import { controllerResolves, imageStoreSpace, releaseSupported } from "../src/preflight/host.js";
import { glance, glanceHandlers, glanceSteps, verify } from "./glance.js";
import { keystone, keystoneSteps } from "./keystone.js";
import { mariadb, mariadbSteps } from "./mariadb.js";
import { memcached, memcachedSteps } from "./memcached.js";

// The whole controller in the guide's order, as one play over the group. Its preflight holds on a blank host;
// what glance alone checks first (MariaDB, Keystone) is made true by the earlier steps here.
export const site: Playbook = {
  name: "site",
  group: "controller",
  requires: [...new Set([...(keystone.requires ?? []), ...(glance.requires ?? [])])],
  preflight: [releaseSupported, controllerResolves, imageStoreSpace],
  steps: [...mariadbSteps, ...memcachedSteps, ...keystoneSteps, ...glanceSteps],
  handlers: [...(mariadb.handlers ?? []), ...(memcached.handlers ?? []), ...(keystone.handlers ?? []), ...glanceHandlers],
  ...(glance.verify ? { verify: glance.verify } : {}),
};

export const playbooks: Record<string, Playbook> = { site, mariadb, memcached, keystone, glance, verify };
