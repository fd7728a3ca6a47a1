import { passwordRecordFact, tokenCacheFact } from "../facts/state.js";
import { keystoneRequest } from "../plan/actions.js";
import type { HostVars } from "../inventory/vars.js";
import { noChange, type Task } from "../plan/types.js";
import { recordProves, rememberPassword } from "./keystonePasswordRecord.js";

export interface KeystoneUserOptions {
  name: string;
  tags: string[];
  user: (v: HostVars) => string;
  password: (v: HostVars) => string | undefined;
}

// A user with the inventory's password: the password is checked by authenticating as the user, since
// Keystone never returns it; a 401 means it changed and is set again.
export function keystoneUser(options: KeystoneUserOptions): Task {
  return {
    name: options.name,
    tags: options.tags,
    // Read in the play's batched probe, so a cached admin token costs nothing.
    facts: (vars) => [tokenCacheFact(), passwordRecordFact(vars, options.user(vars))],
    async prefetch(ctx) {
      const k = ctx.keystone;
      const name = options.user(ctx.vars);
      const password = options.password(ctx.vars);
      const record = await ctx.facts.get(passwordRecordFact(ctx.vars, name));
      const proven = password !== undefined && recordProves(record, ctx.vars, name, password);
      await Promise.all([
        k.findOne("users", { name, domain_id: ctx.vars.keystone_domain }),
        password && !proven ? k.passwordStatus(name, password) : undefined,
      ]);
    },
    async check(ctx) {
      const k = ctx.keystone;
      const name = options.user(ctx.vars);
      const password = options.password(ctx.vars);
      if (!password) throw new Error(`no password set for Keystone user ${name}`);
      const domain = ctx.vars.keystone_domain;
      const user = await k.findOne<{ id: string; enabled?: boolean }>("users", { name, domain_id: domain });
      if (!user) {
        return {
          change: true,
          summary: `create user ${name} in domain ${domain}`,
          actions: [keystoneRequest("POST", "users", { user: { name, domain_id: domain, password, enabled: true } })],
        };
      }
      const record = await ctx.facts.get(passwordRecordFact(ctx.vars, name));
      let passwordOk = recordProves(record, ctx.vars, name, password);
      if (!passwordOk) {
        const status = await k.passwordStatus(name, password);
        if (status !== 201 && status !== 401) throw new Error(`authenticating as ${name} gave HTTP ${status}`);
        passwordOk = status === 201;
        if (passwordOk) await rememberPassword(ctx, record, name, password);
      }
      if (passwordOk && user.enabled !== false) return noChange;
      return {
        change: true,
        summary: [!passwordOk && `set password of ${name}`, user.enabled === false && `enable ${name}`].filter(Boolean).join(", "),
        actions: [keystoneRequest("PATCH", `users/${user.id}`, { user: { password, enabled: true } })],
      };
    },
  };
}
