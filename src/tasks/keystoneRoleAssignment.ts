import { tokenCacheFact } from "../facts/state.js";
import { call } from "../plan/actions.js";
import type { HostVars } from "../inventory/vars.js";
import { noChange, type Task, type TaskContext } from "../plan/types.js";

export interface RoleAssignmentOptions {
  name: string;
  tags: string[];
  user: (v: HostVars) => string;
  project: (v: HostVars) => string;
  role: (v: HostVars) => string;
}

interface Assignment {
  role?: { name?: string };
  scope?: { project?: { name?: string; domain?: { id?: string } } };
}

// The user's assignments with names included: one request answers "does U have R on P?" once U's id is
// known, so a converged check needs no project or role lookups.
async function assignments(ctx: TaskContext, options: RoleAssignmentOptions): Promise<Assignment[] | undefined> {
  const k = ctx.keystone;
  const user = await k.findOne("users", { name: options.user(ctx.vars), domain_id: ctx.vars.keystone_domain });
  if (!user) return undefined;
  return k.list<Assignment>("role_assignments", { "user.id": user.id, include_names: "true" });
}

// `openstack role add --project P --user U R`, only when the assignment is missing.
export function keystoneRoleAssignment(options: RoleAssignmentOptions): Task {
  return {
    name: options.name,
    tags: options.tags,
    // Read in the play's batched probe, so a cached admin token costs nothing.
    facts: () => [tokenCacheFact()],
    prefetch: (ctx) => assignments(ctx, options),
    async check(ctx) {
      const [userName, projectName, roleName] = [options.user(ctx.vars), options.project(ctx.vars), options.role(ctx.vars)];
      const domain = ctx.vars.keystone_domain;
      const held = await assignments(ctx, options);
      const has = held?.some(
        (a) => a.role?.name === roleName && a.scope?.project?.name === projectName && a.scope.project.domain?.id === domain,
      );
      if (has) return noChange;
      const summary = `give ${userName} role ${roleName} on project ${projectName}`;
      return {
        change: true,
        summary,
        // Earlier tasks of this play may have just created the user or project: the ids are looked up when it runs.
        actions: [call(`Keystone PUT /v3/projects/{${projectName}}/users/{${userName}}/roles/{${roleName}}`, async () => {
          const k = ctx.keystone;
          const [user, project, role] = await Promise.all([
            k.findOne("users", { name: userName, domain_id: domain }),
            k.findOne("projects", { name: projectName, domain_id: domain }),
            k.findOne("roles", { name: roleName }),
          ]);
          if (!user || !project || !role) throw new Error(`cannot ${summary}: ${!user ? "user" : !project ? "project" : "role"} not found`);
          await k.call("PUT", `projects/${project.id}/users/${user.id}/roles/${role.id}`);
        })],
      };
    },
  };
}
