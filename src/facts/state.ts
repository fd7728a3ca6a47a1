import { quote } from "shlex";
import type { FactSpec } from "./batch.js";
import type { HostVars } from "../inventory/vars.js";
import { redactor } from "../secrets/redactor.js";
import { mysqlCommand, sqlHex } from "./mysql.js";

// The tool's own state on the host (root-only): where it lives and how a run reads it back. The writers
// (handlers, the password record task, the Keystone client) import these paths so both sides agree.
export const STATE_DIR = "/var/lib/glance-deploy";

// Notified handlers are written to the host as soon as they are notified, so a failure (or a cut
// connection) later in the play cannot lose a needed restart: the next run finds and runs it.
export const PENDING_FILE = `${STATE_DIR}/pending-handlers`;

export const pendingHandlersFact: FactSpec<string[]> = {
  key: "state:pending-handlers",
  command: `cat ${PENDING_FILE}`,
  parse: (stdout, code) => (code === 0 ? stdout.split("\n").map((l) => l.trim()).filter(Boolean) : []),
};

// Proofs of Keystone user passwords, one line per user (see src/tasks/keystonePasswordRecord.ts for why).
export const PASSWORD_RECORD = `${STATE_DIR}/keystone-passwords`;

export interface PasswordRecordState {
  // Keystone's current password hash for the user, when its database is readable on this host.
  currentHash?: string;
  // Record lines by user key.
  records: Map<string, string>;
}

// A user's line in the record; the domain is part of it because user names are unique per domain only.
export const recordKey = (vars: HostVars, user: string) => `${vars.keystone_domain}/${user}`;

// Keystone's current hash for the user (from its database) and the record file, in one probe.
export function passwordRecordFact(vars: HostVars, user: string): FactSpec<PasswordRecordState> {
  const db = "`" + vars.keystone_db_name.replaceAll("`", "``") + "`";
  const sql =
    `SELECT p.password_hash FROM ${db}.local_user lu JOIN ${db}.password p ON p.local_user_id = lu.id ` +
    `WHERE lu.name = ${sqlHex(user)} AND lu.domain_id = ${sqlHex(vars.keystone_domain)} ORDER BY p.created_at_int DESC, p.id DESC LIMIT 1`;
  return {
    key: `keystone:password-record:${recordKey(vars, user)}`,
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

// The admin token is kept between runs on the controller itself (root-only, beside admin-openrc which holds
// the password anyway), so a converged run needs no password login: Keystone's bcrypt costs ~0.25 s each.
export const TOKEN_CACHE = `${STATE_DIR}/keystone-token`;

export interface CachedToken {
  scope: string;
  expires: number;
  token: string;
}

export function tokenCacheFact(): FactSpec<CachedToken | undefined> {
  return {
    key: "keystone:token-cache",
    command: `cat ${TOKEN_CACHE}`,
    parse(stdout, code) {
      const [scope, expires, token] = stdout.trim().split("\t");
      if (code !== 0 || !scope || !expires || !token) return undefined;
      redactor.add(token);
      return { scope, expires: Number(expires), token };
    },
  };
}
