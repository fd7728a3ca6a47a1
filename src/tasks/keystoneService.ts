import { tokenCacheFact } from "../facts/state.js";
import type { Keystone } from "../http/keystone.js";
import { keystoneRequest } from "../plan/actions.js";
import type { HostVars } from "../inventory/vars.js";
import { valueDiff } from "../plan/diff.js";
import { noChange, type Task } from "../plan/types.js";

export interface ServiceEntity {
  id: string;
  name: string;
  type: string;
  description?: string;
  enabled?: boolean;
}

export interface KeystoneServiceOptions {
  name: string;
  tags: string[];
  service: (v: HostVars) => { name: string; type: string; description: string };
}

// Finds the service entity by type and name (the identity of a catalog entry).
export async function findService(k: Keystone, name: string, type: string): Promise<ServiceEntity | undefined> {
  const services = await k.list<ServiceEntity>("services", { type });
  return services.find((s) => s.name === name);
}

// The catalog's service entry (`openstack service create --name glance ... image`), keyed on type+name.
export function keystoneService(options: KeystoneServiceOptions): Task {
  return {
    name: options.name,
    tags: options.tags,
    // Read in the play's batched probe, so a cached admin token costs nothing.
    facts: () => [tokenCacheFact()],
    prefetch: (ctx) => findService(ctx.keystone, options.service(ctx.vars).name, options.service(ctx.vars).type),
    async check(ctx) {
      const k = ctx.keystone;
      const want = options.service(ctx.vars);
      const have = await findService(k, want.name, want.type);
      if (have && have.description === want.description && have.enabled !== false) return noChange;
      if (!have) {
        return {
          change: true,
          summary: `create service ${want.name} (${want.type})`,
          actions: [keystoneRequest("POST", "services", { service: { ...want, enabled: true } })],
        };
      }
      return {
        change: true,
        summary: `update service ${want.name}`,
        diff: valueDiff("description", have.description, want.description),
        actions: [keystoneRequest("PATCH", `services/${have.id}`, { service: { description: want.description, enabled: true } })],
      };
    },
  };
}
