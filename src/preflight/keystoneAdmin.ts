import { keystoneUserRowFact } from "../facts/keystone.js";
import { unitStateFact } from "../facts/services.js";
import { joinUrl, tunnelRequest } from "../http/tunnel.js";
import { profileFor } from "../profiles/index.js";
import { waitHttp } from "../tasks/waitHttp.js";
import type { Preflight, TaskContext } from "../plan/types.js";

// Keystone's bootstrap sets the admin's password to whatever it is given. Run over an existing admin with
// another password, it locks out everyone who uses the real one; so an existing admin whose password differs
// from keystone_admin_password is refused, before any change, unless keystone_admin_password_reset asks for
// exactly that change.

export type AdminState =
  // The inventory's credentials work (nothing to bootstrap for the admin).
  | { kind: "accepted" }
  // No such user yet: a first bootstrap.
  | { kind: "absent" }
  // The password is right but the project login fails (project or role missing): bootstrap repairs it.
  | { kind: "unscoped" }
  // The user exists and refuses the password.
  | { kind: "mismatch" }
  // Keystone refused the login and its database could not be read here to tell why.
  | { kind: "unknown"; why: string };

// A cached admin token that Keystone accepts proves the credentials without a password login; otherwise a login,
// and on 401 the database says whether the admin exists at all.
export async function adminState(ctx: TaskContext): Promise<AdminState> {
  const v = ctx.vars;
  const password = v.keystone_admin_password ?? "";
  const cached = await ctx.keystone
    .list("projects", { name: v.keystone_admin_project, domain_id: v.keystone_domain })
    .then(() => true)
    .catch(() => false);
  if (cached) return { kind: "accepted" };
  const scoped = await ctx.keystone.authenticate(v.keystone_admin_user, password, v.keystone_admin_project);
  if (scoped.status === 201) return { kind: "accepted" };
  if (scoped.status !== 401) throw new Error(`Keystone answered HTTP ${scoped.status} to the admin login`);
  const row = await ctx.facts.get(keystoneUserRowFact(v, v.keystone_admin_user));
  if (!row.readable) return { kind: "unknown", why: row.error ?? "no answer" };
  if (!row.exists) return { kind: "absent" };
  const unscoped = await ctx.keystone.authenticate(v.keystone_admin_user, password);
  return unscoped.status === 201 ? { kind: "unscoped" } : { kind: "mismatch" };
}

// Why the admin is left alone, naming both variables; undefined when bootstrapping is safe or asked for.
export function adminRefusal(ctx: TaskContext, state: AdminState): string | undefined {
  const v = ctx.vars;
  if (v.keystone_admin_password_reset) return undefined;
  const fix = `set keystone_admin_password to the admin's current password, or set keystone_admin_password_reset: true to change it to the inventory's`;
  if (state.kind === "mismatch") {
    return `Keystone's admin user ${v.keystone_admin_user} exists and does not accept keystone_admin_password: ${fix}`;
  }
  if (state.kind === "unknown") {
    return `Keystone refuses keystone_admin_password for ${v.keystone_admin_user}, and whether that user exists cannot be read on ${ctx.host.name} (${state.why}): ${fix}`;
  }
  return undefined;
}

export const keystoneAdminPassword: Preflight = {
  name: "Keystone admin password matches keystone_admin_password",
  facts: (v) => [unitStateFact(profileFor(v).units.keystone)],
  async run(ctx) {
    // The bootstrap runs on the first host of the play; Keystone's state is the same seen from any other.
    if (ctx.group.hosts[0]?.name !== ctx.host.name) return;
    // A host where Keystone is not installed or not running has no admin to protect now; the bootstrap task
    // asks again once Keystone runs. One that runs but is still loading its workers (a fresh boot) is waited for.
    const version = joinUrl(ctx.vars.keystone_url, "v3");
    const up = await tunnelRequest(ctx.t, version, { timeoutMs: 5000 })
      .then((r) => r.status === 200)
      .catch(() => false);
    if (!up) {
      const unit = ctx.profile.units.keystone;
      const state = await ctx.facts.get(unitStateFact(unit));
      if (state.load !== "loaded" || !["active", "activating", "reloading"].includes(state.active)) return;
      await waitHttp(ctx, version, { accept: [200], timeoutS: ctx.vars.service_start_timeout, unit });
    }
    const refusal = adminRefusal(ctx, await adminState(ctx));
    if (refusal) throw new Error(refusal);
  },
};
