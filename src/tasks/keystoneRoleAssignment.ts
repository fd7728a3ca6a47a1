import { Keystone, tokenCacheFact } from "../http/keystone.js";
import type { HostVars } from "../inventory/vars.js";
import { noChange, type Task, type TaskContext } from "../plan/types.js";

export interface RoleAssignmentOptions {
  name: string;
  tags: string[];
  user: (v: HostVars) => string;
  project: (v: HostVars) => string;
  role: (v: HostVars) => string;
}

// `openstack role add --project P --user U R`, only when the assignment is missing.
export function keystoneRoleAssignment(options: RoleAssignmentOptions): Task {
  // The three ids the assignment joins, looked up together.
  const lookup = async (ctx: TaskContext) => {
    const k = Keystone.for(ctx);
    const domain = ctx.vars.keystone_domain;
    const [user, project, role] = await Promise.all([
      k.findOne("users", { name: options.user(ctx.vars), domain_id: domain }),
      k.findOne("projects", { name: options.project(ctx.vars), domain_id: domain }),
      k.findOne("roles", { name: options.role(ctx.vars) }),
    ]);
    return { user, project, role };
  };
  return {
    name: options.name,
    tags: options.tags,
    // Read in the play's batched probe, so a cached admin token costs nothing.
    facts: () => [tokenCacheFact()],
    prefetch: (ctx) => lookup(ctx),
    async check(ctx) {
      const k = Keystone.for(ctx);
      const [userName, projectName, roleName] = [options.user(ctx.vars), options.project(ctx.vars), options.role(ctx.vars)];
      const found = await lookup(ctx);
      if (found.user && found.project && found.role) {
        const path = `projects/${found.project.id}/users/${found.user.id}/roles/${found.role.id}`;
        const { status } = await k.call("HEAD", path, undefined, [404]);
        if (status !== 404) return noChange;
      }
      const summary = `give ${userName} role ${roleName} on project ${projectName}`;
      return {
        change: true,
        summary,
        apply: async () => {
          // Earlier tasks of this play may have just created the user or project: look again.
          const { user, project, role } = await lookup(ctx);
          if (!user || !project || !role) throw new Error(`cannot ${summary}: ${!user ? "user" : !project ? "project" : "role"} not found`);
          await k.call("PUT", `projects/${project.id}/users/${user.id}/roles/${role.id}`);
        },
      };
    },
  };
}
