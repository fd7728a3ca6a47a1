import { createHmac } from "node:crypto";
import { quote } from "shlex";
import type { FactSpec } from "../facts/batch.js";
import { STATE_DIR } from "../handlers/pending.js";
import type { HostVars } from "../inventory/vars.js";
import type { TaskContext } from "../plan/types.js";
import { mysqlCommand, sqlHex } from "./mysql.js";

// Keystone never reveals a password, and proving one means a login that costs ~0.25 s of bcrypt. So after a
// login proves the inventory's password, the host remembers it (root-only) against the exact hash Keystone
// then stored; while Keystone's current hash is unchanged the password still holds. Any change made
// elsewhere (API, CLI, another tool) changes that hash and brings the live login back.
export const PASSWORD_RECORD = `${STATE_DIR}/keystone-passwords`;

export interface PasswordRecordState {
  // Keystone's current password hash for the user, when its database is readable on this host.
  currentHash?: string;
  // Record lines by user key.
  records: Map<string, string>;
}

const userKey = (vars: HostVars, user: string) => `${vars.keystone_domain}/${user}`;

// HMAC of the password keyed by Keystone's hash: ties the record to that hash and never stores the password.
export function proofOf(password: string, keystoneHash: string): string {
  return createHmac("sha256", keystoneHash).update(password, "utf8").digest("hex");
}

export function passwordRecordFact(vars: HostVars, user: string): FactSpec<PasswordRecordState> {
  const db = "`" + vars.keystone_db_name.replaceAll("`", "``") + "`";
  const sql =
    `SELECT p.password_hash FROM ${db}.local_user lu JOIN ${db}.password p ON p.local_user_id = lu.id ` +
    `WHERE lu.name = ${sqlHex(user)} AND lu.domain_id = ${sqlHex(vars.keystone_domain)} ORDER BY p.created_at_int DESC, p.id DESC LIMIT 1`;
  return {
    key: `keystone:password-record:${userKey(vars, user)}`,
    command: `${mysqlCommand(vars)} --skip-column-names -e ${quote(sql)}; printf '@@records\\n'; cat ${PASSWORD_RECORD}`,
    ...(vars.mysql_admin_password ? { stdin: vars.mysql_admin_password + "\n" } : {}),
    parse(stdout) {
      const [hashPart = "", recordPart = ""] = stdout.split("@@records\n");
      const currentHash = hashPart.trim() || undefined;
      const records = new Map<string, string>();
      for (const line of recordPart.split("\n")) {
        const [key, proof] = line.split("\t");
        if (key && proof) records.set(key, proof);
      }
      return { ...(currentHash ? { currentHash } : {}), records };
    },
  };
}

// True when the host's record proves the password against Keystone's current hash.
export function recordProves(state: PasswordRecordState, vars: HostVars, user: string, password: string): boolean {
  return !!state.currentHash && state.records.get(userKey(vars, user)) === proofOf(password, state.currentHash);
}

// Remembers a password a live login just proved (never in check mode: check mode changes nothing).
export async function rememberPassword(ctx: TaskContext, state: PasswordRecordState, user: string, password: string): Promise<void> {
  if (ctx.check || !state.currentHash) return;
  const records = new Map(state.records);
  records.set(userKey(ctx.vars, user), proofOf(password, state.currentHash));
  const content = [...records].map(([k, v]) => `${k}\t${v}`).join("\n") + "\n";
  await ctx.t.exec(`install -d -m 0700 ${STATE_DIR}`);
  await ctx.t.writeFile(PASSWORD_RECORD, content, { mode: 0o600 });
}
