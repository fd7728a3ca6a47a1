import type { Playbook } from "../src/plan/types.js";
import { glance, glanceHandlers, glanceTasks, verify } from "./glance.js";
import { keystone, keystoneTasks } from "./keystone.js";
import { mariadb, mariadbTasks } from "./mariadb.js";
import { memcached, memcachedTasks } from "./memcached.js";
import { controllerResolves, imageStoreSpace } from "./preflight.js";

// The whole controller in the guide's order, as one play per host. Its preflight holds on a blank host;
// what glance alone checks first (MariaDB, Keystone) is made true by the earlier steps here.
export const site: Playbook = {
  name: "site",
  group: "controller",
  requires: [...new Set([...(keystone.requires ?? []), ...(glance.requires ?? [])])],
  preflight: [controllerResolves, imageStoreSpace],
  tasks: [...mariadbTasks, ...memcachedTasks, ...keystoneTasks, ...glanceTasks],
  handlers: [...(mariadb.handlers ?? []), ...(memcached.handlers ?? []), ...(keystone.handlers ?? []), ...glanceHandlers],
};

export const playbooks: Record<string, Playbook> = { site, mariadb, memcached, keystone, glance, verify };
