import { unitStateFact } from "../facts/services.js";
import { joinUrl } from "../http/tunnel.js";
import { profileFor } from "../profiles/index.js";
import type { Preflight, TaskContext } from "../plan/types.js";
import { waitHttp } from "../tasks/waitHttp.js";

// Checks of the services a play relies on, from each host's side; each fails within seconds (never the 100 s
// db_sync retry loop) with one line that names the fix.

export const mariadbReachable: Preflight = {
  name: "MariaDB reachable where glance will connect",
  facts: (v) => [unitStateFact(profileFor(v).units.mariadb)],
  async run(ctx) {
    const host = ctx.vars.glance_db_host;
    const port = ctx.vars.mysql_port;
    const greeting = await readGreeting(ctx, host, port).catch(async (e: Error) => {
      throw new Error(`MariaDB is not reachable at ${host}:${port} from ${ctx.host.name} (${e.message}): ${await mariadbFix(ctx)}`);
    });
    // 0xff is an error packet instead of the handshake, e.g. "Host ... is not allowed to connect".
    if (greeting[4] === 0xff) {
      throw new Error(`MariaDB at ${host}:${port} refuses ${ctx.host.name}: ${greeting.subarray(7).toString("utf8")}`);
    }
  },
};

// A refused connection is a stopped (or missing) MariaDB or one listening elsewhere. The database host reads
// its own unit and says which; another host cannot see it and names both causes.
async function mariadbFix(ctx: TaskContext): Promise<string> {
  const v = ctx.vars;
  const unit = ctx.profile.units.mariadb;
  const listen = `make MariaDB listen on ${v.management_address} (bind-address; the mariadb playbook does it) and \`${v.glance_db_host}\` resolve to it`;
  if (v.database_host !== ctx.host.name) {
    return `on ${v.database_host ?? "the database host"}, MariaDB is stopped or listens elsewhere: check \`systemctl is-active ${unit}\` there, then ${listen}`;
  }
  const state = await ctx.facts.get(unitStateFact(unit));
  if (state.load === "not-found") return `MariaDB is not installed on ${ctx.host.name} (the database host): run --playbook mariadb`;
  if (state.active !== "active") return `MariaDB is not running on ${ctx.host.name} (${unit} is ${state.active}): start it (systemctl start ${unit}) or run --playbook mariadb`;
  return `MariaDB runs on ${ctx.host.name} but not where glance connects: ${listen}`;
}

export const keystoneAnswers: Preflight = {
  name: "Keystone answers with the admin credentials",
  async run(ctx) {
    // A token cached by an earlier run is had without asking Keystone: one authenticated request proves that
    // Keystone answers and accepts it (a rejected one means a password login, which checks the credentials).
    // It is a lookup the glance tasks make anyway (shared), so a healthy run pays nothing extra for it.
    const prove = async () => {
      await ctx.keystone.token();
      await ctx.keystone.list("services", { type: ctx.vars.glance_service_type });
    };
    try {
      await prove().catch(async (error: Error) => {
        // Right after a boot or restart Keystone takes seconds to load its workers (it accepts connections, then
        // answers late or hangs up): wait for its version document (no credentials, no policy), then ask once
        // more. Refused credentials, or a refused connection (nothing listens: Keystone is down), fail at once.
        if (/HTTP 401|refused the admin credentials|Connection refused|ECONNREFUSED/.test(error.message)) throw error;
        await waitHttp(ctx, joinUrl(ctx.vars.keystone_url, "v3"), { accept: [200], timeoutS: ctx.vars.service_start_timeout, unit: ctx.profile.units.keystone });
        await prove();
      });
    } catch (error) {
      throw new Error(`Keystone at ${ctx.vars.keystone_url} (seen from ${ctx.host.name}): ${(error as Error).message}; start keystone or run --playbook keystone`);
    }
  },
};

// The first packet a MySQL server sends, through the tunnel, within 5 s.
async function readGreeting(ctx: TaskContext, host: string, port: number): Promise<Buffer> {
  const stream = await ctx.t.forward(host, port);
  return new Promise<Buffer>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error("no greeting within 5 s")), 5000);
    const finish = (error?: Error, data?: Buffer) => {
      clearTimeout(timer);
      stream.destroy();
      if (error) reject(error);
      else resolve(data!);
    };
    stream.once("data", (d: Buffer) => finish(undefined, d));
    stream.once("error", (e: Error) => finish(e));
    stream.once("close", () => finish(new Error("connection closed")));
  });
}
