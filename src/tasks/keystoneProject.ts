import { tokenCacheFact } from "../facts/state.js";
import { keystoneRequest } from "../plan/actions.js";
import type { HostVars } from "../inventory/vars.js";
import { noChange, type Task } from "../plan/types.js";

// A project in the configured domain (the guide's `service` project), created once by name.
export function keystoneProject(options: { name: string; tags: string[]; project: (v: HostVars) => string; description: string }): Task {
  return {
    name: options.name,
    tags: options.tags,
    // Read in the play's batched probe, so a cached admin token costs nothing.
    facts: () => [tokenCacheFact()],
    async check(ctx) {
      const k = ctx.keystone;
      const name = options.project(ctx.vars);
      const domain = ctx.vars.keystone_domain;
      if (await k.findOne("projects", { name, domain_id: domain })) return noChange;
      return {
        change: true,
        summary: `create project ${name}`,
        actions: [keystoneRequest("POST", "projects", { project: { name, domain_id: domain, description: options.description, enabled: true } })],
      };
    },
  };
}
