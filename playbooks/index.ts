import type { Handler, Playbook, Preflight } from "../src/plan/types.js";
import { controllerResolves, imageStoreSpace, releaseSupported } from "../src/preflight/host.js";
import { keystoneAdminPassword } from "../src/preflight/keystoneAdmin.js";
import { managementAddress } from "../src/preflight/network.js";
import { glance, glanceHandlers, glanceSteps, verify } from "./glance.js";
import { keystone, keystoneSteps } from "./keystone.js";
import { mariadb, mariadbSteps } from "./mariadb.js";
import { memcached, memcachedSteps } from "./memcached.js";

// Every handler the playbooks know, in the guide's order. A restart owed on a host (pending-handlers, left by an
// earlier run that stopped before its handlers) is owed whatever playbook runs next, so every deploy playbook
// carries all of them; each runs only where it is pending.
export const allHandlers: Handler[] = [...(mariadb.handlers ?? []), ...(memcached.handlers ?? []), ...(keystone.handlers ?? []), ...glanceHandlers];

// The whole controller in the guide's order, as one play over the group. Its preflight holds on a blank host;
// what glance alone checks first (MariaDB, Keystone) is made true by the earlier steps here.
export const site: Playbook = {
  name: "site",
  group: "controller",
  requires: [...new Set([...(keystone.requires ?? []), ...(glance.requires ?? [])])],
  preflight: [releaseSupported, controllerResolves, managementAddress, keystoneAdminPassword, imageStoreSpace],
  steps: [...mariadbSteps, ...memcachedSteps, ...keystoneSteps, ...glanceSteps],
  handlers: allHandlers,
  ...(glance.verify ? { verify: glance.verify } : {}),
};

// What a deploy playbook gets beyond its own definition: every known handler, the check that the host's
// management_address is its own before anything is bound to it, and the playbook's own extra checks.
function deployable(playbook: Playbook, checks: Preflight[] = []): Playbook {
  return { ...playbook, preflight: [...(playbook.preflight ?? []), managementAddress, ...checks], handlers: allHandlers };
}

export const playbooks: Record<string, Playbook> = {
  site,
  mariadb: deployable(mariadb),
  memcached: deployable(memcached),
  keystone: deployable(keystone, [keystoneAdminPassword]),
  glance: deployable(glance),
  verify,
};
