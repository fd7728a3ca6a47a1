import { createHmac } from "node:crypto";
import { PASSWORD_RECORD, recordKey, STATE_DIR, type PasswordRecordState } from "../facts/state.js";
import type { HostVars } from "../inventory/vars.js";
import type { TaskContext } from "../plan/types.js";

// Keystone never reveals a password, and proving one means a login that costs ~0.25 s of bcrypt. So after a
// login proves the inventory's password, the host remembers it (root-only, in PASSWORD_RECORD, read back by
// passwordRecordFact) against the exact hash Keystone then stored; while Keystone's current hash is unchanged
// the password still holds. Any change made elsewhere (API, CLI, another tool) changes that hash and brings
// the live login back.

// HMAC of the password keyed by Keystone's hash: ties the record to that hash and never stores the password.
export function proofOf(password: string, keystoneHash: string): string {
  return createHmac("sha256", keystoneHash).update(password, "utf8").digest("hex");
}

// True when the host's record proves the password against Keystone's current hash.
export function recordProves(state: PasswordRecordState, vars: HostVars, user: string, password: string): boolean {
  return !!state.currentHash && state.records.get(recordKey(vars, user)) === proofOf(password, state.currentHash);
}

// Remembers a password a live login just proved (never in check mode: check mode changes nothing).
export async function rememberPassword(ctx: TaskContext, state: PasswordRecordState, user: string, password: string): Promise<void> {
  if (ctx.check || !state.currentHash) return;
  const records = new Map(state.records);
  records.set(recordKey(ctx.vars, user), proofOf(password, state.currentHash));
  const content = [...records].map(([k, v]) => `${k}\t${v}`).join("\n") + "\n";
  await ctx.t.exec(`install -d -m 0700 ${STATE_DIR}`);
  await ctx.t.writeFile(PASSWORD_RECORD, content, { mode: 0o600 });
}
