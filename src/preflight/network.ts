import { interfaceAddressesFact, isLoopback, resolvedAddressesFact } from "../facts/network.js";
import type { Preflight, TaskContext } from "../plan/types.js";

// MariaDB and memcached are bound to management_address and every service reaches them as `controller`: an
// address that is not the host's own (a typo, another host's) re-binds them to something nothing can reach, and
// a `controller` that leads elsewhere sends every client to the wrong host. Both are read before any change.
export const managementAddress: Preflight = {
  name: "management_address is an address of the host",
  facts: (v) => [interfaceAddressesFact, resolvedAddressesFact(v.management_address), resolvedAddressesFact(v.controller_host)],
  async run(ctx) {
    const v = ctx.vars;
    const host = ctx.host.name;
    const own = await ctx.facts.get(interfaceAddressesFact);
    if (own === undefined) throw new Error(`cannot list the addresses of ${host} (\`ip -o addr\` and \`hostname -I\` failed): install iproute2`);
    const listed = own.filter((a) => !isLoopback(a)).join(", ") || "none but loopback";
    const mine = await ctx.facts.get(resolvedAddressesFact(v.management_address));
    if (mine.length === 0) {
      throw new Error(`management_address ${v.management_address} does not resolve on ${host}: set management_address to one of its addresses (${listed})`);
    }
    if (!mine.some((a) => own.includes(a))) {
      const via = mine.includes(v.management_address.toLowerCase()) ? "" : ` (resolves to ${mine.join(", ")})`;
      throw new Error(`management_address ${v.management_address}${via} is not an address of ${host}; its addresses: ${listed}: set management_address to one of them`);
    }
    if (!serves(ctx)) return;
    const controller = await ctx.facts.get(resolvedAddressesFact(v.controller_host));
    // A name that does not resolve at all is the controllerResolves check's to report.
    if (controller.length && !controller.some((a) => mine.includes(a))) {
      throw new Error(
        `\`${v.controller_host}\` resolves to ${controller.join(", ")} on ${host}, but ${host} serves at management_address ${v.management_address}: make \`${v.controller_host}\` resolve to ${mine.find((a) => own.includes(a))} (/etc/hosts or DNS)`,
      );
    }
  },
};

// The host the others reach as `controller`: the database host (by default the first controller, which is the
// identity node too). Other controllers resolve `controller` to it, not to themselves. (With a virtual address
// in front, `controller` will lead to that address instead.)
function serves(ctx: TaskContext): boolean {
  return ctx.vars.database_host === ctx.host.name;
}
