import { quote } from "shlex";
import { Keystone } from "../src/http/keystone.js";
import type { FactSpec } from "../src/facts/batch.js";
import type { Preflight, TaskContext } from "../src/plan/types.js";

// Each check fails fast (seconds, never the 100 s db_sync retry loop) with one line that names the fix.

const resolves = (name: string): FactSpec<boolean> => ({
  key: `getent:${name}`,
  // Bounded: a dead resolver would otherwise hold the whole probe for its retries.
  command: `timeout 5 getent hosts ${quote(name)}`,
  parse: (_out, code) => code === 0,
});

// Free KiB under a directory, or under its nearest existing parent (the store directory comes with the package).
const freeKb = (dir: string): FactSpec<number> => ({
  key: `df:${dir}`,
  command: `d=${quote(dir)}; while [ ! -d "$d" ]; do d=$(dirname "$d"); done; timeout 5 df -Pk "$d" | tail -1`,
  parse: (out) => Number(out.trim().split(/\s+/)[3]),
});

// The two host checks are read in the play's one probe, like any fact.
export const controllerResolves: Preflight = {
  name: "controller name resolves on the host",
  facts: (v) => [resolves(v.controller_host)],
  async run(ctx) {
    const name = ctx.vars.controller_host;
    if (!(await ctx.facts.get(resolves(name)))) {
      throw new Error(`\`${name}\` does not resolve on ${ctx.host.name}: add "${ctx.vars.management_address} ${name}" to /etc/hosts or fix DNS`);
    }
  },
};

export const imageStoreSpace: Preflight = {
  name: "free space for the image store",
  facts: (v) => [freeKb(v.glance_filesystem_store_datadir)],
  async run(ctx) {
    const dir = ctx.vars.glance_filesystem_store_datadir;
    const availKb = await ctx.facts.get(freeKb(dir));
    if (!Number.isFinite(availKb)) throw new Error(`cannot measure free space under ${dir}`);
    const needMb = ctx.vars.glance_min_free_mb;
    if (availKb / 1024 < needMb) {
      throw new Error(`only ${Math.floor(availKb / 1024)} MiB free under ${dir}, glance_min_free_mb asks for ${needMb}: free space or lower the variable`);
    }
  },
};

export const mariadbReachable: Preflight = {
  name: "MariaDB reachable where glance will connect",
  async run(ctx) {
    const host = ctx.vars.glance_db_host;
    const port = ctx.vars.mysql_port;
    const fix = `make MariaDB listen on ${ctx.vars.management_address} (bind-address; the mariadb playbook does it) and \`${host}\` resolve to it`;
    const greeting = await readGreeting(ctx, host, port).catch((e: Error) => {
      throw new Error(`MariaDB is not reachable at ${host}:${port} from ${ctx.host.name} (${e.message}): ${fix}`);
    });
    // 0xff is an error packet instead of the handshake, e.g. "Host ... is not allowed to connect".
    if (greeting[4] === 0xff) {
      throw new Error(`MariaDB at ${host}:${port} refuses ${ctx.host.name}: ${greeting.subarray(7).toString("utf8")}`);
    }
  },
};

export const keystoneAnswers: Preflight = {
  name: "Keystone answers with the admin credentials",
  async run(ctx) {
    try {
      const keystone = Keystone.for(ctx);
      await keystone.token();
      // A token cached by an earlier run is had without asking Keystone: one authenticated request proves that
      // Keystone answers and accepts it (a rejected one means a password login, which checks the credentials).
      // It is a lookup the glance tasks make anyway (shared), so a healthy run pays nothing extra for it.
      await keystone.list("services", { type: ctx.vars.glance_service_type });
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
