import { UsageError } from "../errors.js";

// IPv4 subnet arithmetic for the lab: which subnet to use and which address each host gets. Pure.

export const DEFAULT_SUBNET = "10.77.0.0/24";
// Tried in order when the default clashes with one of the machine's own networks.
const FALLBACK_SUBNETS = ["10.77.0.0/24", "10.78.0.0/24", "10.79.0.0/24", "10.177.0.0/24", "10.199.77.0/24"];
// Hosts get .11, .12, … so .2–.10 stay free for anything the machine side may need later.
const FIRST_HOST_OFFSET = 11;

export interface Subnet {
  network: number;
  prefix: number;
}

// Parses "a.b.c.d" into a 32-bit unsigned number; undefined when it is not a dotted quad.
export function parseIp(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

// Inverse of parseIp, for messages and addresses handed to `ip` and the inventory.
export function formatIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

// Netmask as an unsigned number; /0 is special-cased because 2 ** 32 - 1 overflows the shift arithmetic.
function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff - (2 ** (32 - prefix) - 1)) >>> 0;
}

// Parses a CIDR and insists on the network address itself, so "10.77.0.5/24" is refused, not guessed at.
export function parseSubnet(text: string): Subnet {
  const match = /^([\d.]+)\/(\d{1,2})$/.exec(text.trim());
  const ip = match ? parseIp(match[1]!) : undefined;
  const prefix = match ? Number(match[2]) : NaN;
  if (ip === undefined || !(prefix >= 8 && prefix <= 28)) {
    throw new UsageError(`lab subnet "${text}" is not an IPv4 CIDR with a prefix length from /8 to /28`);
  }
  if (((ip & mask(prefix)) >>> 0) !== ip) {
    throw new UsageError(`lab subnet "${text}" has host bits set; did you mean ${formatIp((ip & mask(prefix)) >>> 0)}/${prefix}?`);
  }
  return { network: ip, prefix };
}

// Canonical text form, as stored in lab.json and shown to the operator.
export function formatSubnet(subnet: Subnet): string {
  return `${formatIp(subnet.network)}/${subnet.prefix}`;
}

// True when two CIDR ranges share any address.
export function overlaps(a: Subnet, b: Subnet): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return ((a.network & mask(p)) >>> 0) === ((b.network & mask(p)) >>> 0);
}

// The machine side of the bridge: the first usable address.
export function gatewayAddress(subnet: Subnet): string {
  return formatIp(subnet.network + 1);
}

// Address of host i (0-based); refuses counts that would run into the broadcast address.
export function hostAddress(subnet: Subnet, index: number): string {
  const offset = FIRST_HOST_OFFSET + index;
  if (offset >= 2 ** (32 - subnet.prefix) - 1) {
    throw new UsageError(`lab subnet ${formatSubnet(subnet)} has no room for ${index + 1} hosts starting at .${FIRST_HOST_OFFSET}`);
  }
  return formatIp(subnet.network + offset);
}

// A network the machine already uses, as read from `ip -j addr` / `ip -j route`, with the device it is on.
export interface MachineNetwork {
  cidr: string;
  dev: string;
}

// Picks the lab subnet: the requested one must not clash (an explicit choice is never silently replaced);
// without a request, the first candidate that clashes with nothing. The lab's own bridge does not count (a stale
// lab of this state directory is about to be replaced); other labs' bridges do, like any other network.
export function chooseSubnet(requested: string | undefined, machine: readonly MachineNetwork[], ownBridge: string): Subnet {
  const taken = machine
    .filter((n) => n.dev !== ownBridge)
    .map((n) => ({ n, s: tryParseNetwork(n.cidr) }))
    .filter((x): x is { n: MachineNetwork; s: Subnet } => x.s !== undefined);
  const clash = (s: Subnet) => taken.find((t) => overlaps(s, t.s));
  if (requested !== undefined) {
    const subnet = parseSubnet(requested);
    const c = clash(subnet);
    if (c) throw new UsageError(`lab subnet ${formatSubnet(subnet)} clashes with ${c.n.cidr} on ${c.n.dev}; choose another with --subnet`);
    return subnet;
  }
  for (const candidate of FALLBACK_SUBNETS) {
    const subnet = parseSubnet(candidate);
    if (!clash(subnet)) return subnet;
  }
  throw new UsageError(`every default lab subnet (${FALLBACK_SUBNETS.join(", ")}) clashes with this machine's networks; choose one with --subnet`);
}

// Reads "a.b.c.d/p" or a bare address (a /32) leniently, masking host bits; default routes are not "taken" ranges.
function tryParseNetwork(cidr: string): Subnet | undefined {
  if (cidr === "default") return undefined;
  const [ipText, prefixText] = cidr.split("/");
  const ip = parseIp(ipText ?? "");
  const prefix = prefixText === undefined ? 32 : Number(prefixText);
  if (ip === undefined || !(prefix >= 0 && prefix <= 32)) return undefined;
  return { network: (ip & mask(prefix)) >>> 0, prefix };
}
