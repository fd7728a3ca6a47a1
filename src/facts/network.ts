import { quote } from "shlex";
import type { FactSpec } from "./batch.js";

// The host's own addresses and what names resolve to there: what a service bound to management_address can
// listen on, and where `controller` leads.

// Every address on the host's interfaces (loopback included), from `ip -o addr`; `hostname -I` where iproute2 is
// missing. Undefined when neither answers.
export const interfaceAddressesFact: FactSpec<string[] | undefined> = {
  key: "net:addresses",
  command: "ip -o addr show 2>/dev/null || hostname -I",
  parse(stdout, code) {
    if (code !== 0) return undefined;
    return parseAddresses(stdout);
  },
};

// `ip -o addr` lines ("2: host0    inet 10.0.0.11/24 brd ... scope global host0") or `hostname -I`'s list.
export function parseAddresses(stdout: string): string[] {
  const found = stdout.includes(" inet") ? [...stdout.matchAll(/\binet6? ([0-9A-Fa-f.:]+)(?:\/\d+)?/g)].map((m) => m[1]!) : stdout.split(/\s+/);
  return [...new Set(found.filter(Boolean).map(normalise))];
}

// Every address a name (or address) resolves to on the host, through its own resolver (/etc/hosts, DNS).
export const resolvedAddressesFact = (name: string): FactSpec<string[]> => ({
  key: `ahosts:${name}`,
  // Bounded: a dead resolver would otherwise hold the whole probe for its retries.
  command: `timeout 5 getent ahosts ${quote(name)}`,
  parse: (stdout, code) => (code === 0 ? [...new Set(stdout.split("\n").map((l) => l.split(/\s+/)[0] ?? "").filter(Boolean).map(normalise))] : []),
});

// One spelling per address: lower-case IPv6, IPv4-mapped IPv6 as IPv4.
function normalise(address: string): string {
  const lower = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  return mapped ? mapped[1]! : lower;
}

export const isLoopback = (address: string) => address.startsWith("127.") || address === "::1";
