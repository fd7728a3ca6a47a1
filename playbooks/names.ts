import type { HostVars } from "../src/inventory/vars.js";

// SQLAlchemy URL for oslo.db: user, password and database percent-encoded so any character survives.
export function dbUrl(user: string, password: string, host: string, db: string): string {
  const enc = encodeURIComponent;
  return `mysql+pymysql://${enc(user)}:${enc(password)}@${host}/${enc(db)}`;
}

export const glanceService = (v: HostVars) => ({ name: v.glance_service_name, type: v.glance_service_type, description: v.glance_service_description });
