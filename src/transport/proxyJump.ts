// OpenSSH's ProxyJump syntax: `[user@]host[:port]` (or `ssh://[user@]host[:port]`), comma-separated for a chain
// walked left to right, IPv6 addresses in brackets, `none` for no jump host. Pure, so the inventory can check a
// value when it is loaded, long before anything connects.

export interface JumpSpec {
  // Absent: the jump host's ssh config User, else the target's user.
  user?: string;
  // As written: an address, a name or an ssh config alias.
  host: string;
  // Absent: the jump host's ssh config Port, else 22.
  port?: number;
}

const HOST = /^[A-Za-z0-9._-]+$/;
const IPV6 = /^[0-9A-Fa-f:.]+(%[A-Za-z0-9._-]+)?$/;
// Why: a user name reaches ssh -G and the SSH handshake; whitespace, commas or control characters there are
// always a mistake in the spec, never a real account.
const USER = /^[^\s,\0-\x1f\x7f]+$/;

export function parseProxyJump(spec: string): JumpSpec[] {
  const text = spec.trim();
  if (text.toLowerCase() === "none") return [];
  if (text === "") throw new Error("ProxyJump is empty (write `none` for no jump host)");
  return text.split(",").map((entry) => parseHop(entry.trim(), text));
}

// Why: OpenSSH splits at the last `@` (a user name may hold one) and at the port's `:` outside brackets.
function parseHop(entry: string, whole: string): JumpSpec {
  const fail = (problem: string) => new Error(`ProxyJump ${JSON.stringify(whole)}: ${problem}`);
  if (entry === "") throw fail("an empty jump host in the list");
  let rest = entry.startsWith("ssh://") ? entry.slice("ssh://".length).replace(/\/$/, "") : entry;
  let user: string | undefined;
  const at = rest.lastIndexOf("@");
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (!USER.test(user)) throw fail(`${JSON.stringify(user)} is not a user name`);
  }
  let host: string;
  let portText: string | undefined;
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0) throw fail(`unclosed [ in ${JSON.stringify(entry)}`);
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after !== "" && !after.startsWith(":")) throw fail(`unexpected ${JSON.stringify(after)} after ]`);
    if (after !== "") portText = after.slice(1);
    if (!IPV6.test(host)) throw fail(`${JSON.stringify(host)} is not an IPv6 address`);
  } else {
    const colon = rest.indexOf(":");
    if (colon !== rest.lastIndexOf(":")) throw fail(`${JSON.stringify(rest)}: write IPv6 in brackets, [address]:port`);
    host = colon >= 0 ? rest.slice(0, colon) : rest;
    if (colon >= 0) portText = rest.slice(colon + 1);
    if (!HOST.test(host)) throw fail(`${JSON.stringify(host)} is not a host name or address`);
  }
  const jump: JumpSpec = { host };
  if (user !== undefined) jump.user = user;
  if (portText !== undefined) {
    const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!(port >= 1 && port <= 65535)) throw fail(`${JSON.stringify(portText)} is not a port (1-65535)`);
    jump.port = port;
  }
  return jump;
}
