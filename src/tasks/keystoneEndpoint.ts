import { tokenCacheFact } from "../facts/state.js";
import type { Keystone } from "../http/keystone.js";
import { call, keystoneRequest } from "../plan/actions.js";
import type { HostVars } from "../inventory/vars.js";
import { valueDiff } from "../plan/diff.js";
import { noChange, type Task } from "../plan/types.js";
import { findService } from "./keystoneService.js";

interface Endpoint {
  id: string;
  service_id: string;
  url: string;
  interface: string;
  region_id: string;
  enabled?: boolean;
}

export interface KeystoneEndpointOptions {
  name: string;
  tags: string[];
  service: (v: HostVars) => { name: string; type: string };
  interface: "public" | "internal" | "admin";
  region: (v: HostVars) => string;
  url: (v: HostVars) => string;
}

// The catalog's endpoints in one request (tens of rows even in large clouds), fetched alongside the service
// lookup rather than after it, and shared by the three interface tasks.
async function serviceEndpoints(k: Keystone, svc: { name: string; type: string }): Promise<Endpoint[]> {
  const [service, endpoints] = await Promise.all([findService(k, svc.name, svc.type), k.list<Endpoint>("endpoints", {})]);
  return service ? endpoints.filter((e) => e.service_id === service.id) : [];
}

// One endpoint per service+interface+region: created when missing, its URL corrected when wrong, and any
// duplicate (left by hand or by other tools) removed so exactly one remains.
export function keystoneEndpoint(options: KeystoneEndpointOptions): Task {
  return {
    name: options.name,
    tags: options.tags,
    // Read in the play's batched probe, so a cached admin token costs nothing.
    facts: () => [tokenCacheFact()],
    prefetch: (ctx) => serviceEndpoints(ctx.keystone, options.service(ctx.vars)),
    async check(ctx) {
      const k = ctx.keystone;
      const svc = options.service(ctx.vars);
      const region = options.region(ctx.vars);
      const url = options.url(ctx.vars);
      const endpoints = (await serviceEndpoints(k, svc)).filter((e) => e.interface === options.interface && e.region_id === region);
      const [keep, ...extra] = [...endpoints].sort((a, b) => Number(b.url === url) - Number(a.url === url));
      if (keep && keep.url === url && keep.enabled !== false && extra.length === 0) return noChange;
      const what = `${svc.name} ${options.interface} endpoint in ${region}`;
      const summary = !keep ? `create ${what}` : [keep.url !== url && `set URL of ${what}`, extra.length && `delete ${extra.length} duplicate(s)`, keep.enabled === false && "enable it"].filter(Boolean).join(", ");
      return {
        change: true,
        summary,
        ...(keep && keep.url !== url ? { diff: valueDiff("url", keep.url, url) } : {}),
        actions: !keep
          ? [
              // The service may have been created by an earlier task of this play: its id is looked up when this runs.
              call(`Keystone POST /v3/endpoints {"service":"${svc.name}","interface":"${options.interface}","region_id":"${region}","url":"${url}"}`, async () => {
                const current = await findService(k, svc.name, svc.type);
                if (!current) throw new Error(`service ${svc.name} (${svc.type}) not found`);
                await k.call("POST", "endpoints", { endpoint: { service_id: current.id, interface: options.interface, region_id: region, url, enabled: true } });
              }),
            ]
          : [
              ...(keep.url !== url || keep.enabled === false ? [keystoneRequest("PATCH", `endpoints/${keep.id}`, { endpoint: { url, enabled: true } })] : []),
              ...extra.map((e) => keystoneRequest("DELETE", `endpoints/${e.id}`)),
            ],
      };
    },
  };
}
