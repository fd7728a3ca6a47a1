import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { memcachedListen } from "../../playbooks/memcached.js";

// The shape of Debian 12's /etc/memcached.conf as the package ships it (options one per line, comments between).
const debian = [
  "# memcached default config file",
  "# This configuration file is read by the start-memcached script provided as",
  "# part of the Debian GNU/Linux distribution.",
  "",
  "# Run memcached as a daemon.",
  "-d",
  "",
  "# Log memcached's output to /var/log/memcached",
  "logfile /var/log/memcached.log",
  "",
  "# Start with a cap of 64 megs of memory.",
  "-m 64",
  "",
  "# Default connection port is 11211",
  "-p 11211",
  "",
  "# Run the daemon as root.",
  "-u memcache",
  "",
  "# Specify which IP address to listen on.",
  "-l 127.0.0.1",
  "",
  "# Limit the number of simultaneous incoming connections.",
  "# -c 1024",
  "",
  "# Use a pidfile",
  "-P /var/run/memcached/memcached.pid",
  "",
].join("\n");

// The option lines (those starting with '-'), in order.
const options = (text: string) => text.split("\n").filter((l) => l.startsWith("-"));

describe("memcachedListen on Debian's memcached.conf", () => {
  const cases: { title: string; before: string; address: string; port: number; options: string[] }[] = [
    { title: "Debian default: -l and -p replaced, other options kept", before: debian, address: "10.0.0.11", port: 11211, options: ["-d", "-m 64", "-l 10.0.0.11", "-p 11211", "-u memcache", "-P /var/run/memcached/memcached.pid"] },
    { title: "custom port", before: debian, address: "10.0.0.11", port: 11311, options: ["-d", "-m 64", "-l 10.0.0.11", "-p 11311", "-u memcache", "-P /var/run/memcached/memcached.pid"] },
    { title: "no -l/-p at all: added before the final newline", before: "-d\n-m 64\n", address: "10.0.0.11", port: 11211, options: ["-d", "-m 64", "-l 10.0.0.11", "-p 11211"] },
    { title: "several -l lines collapse into one", before: "-l 127.0.0.1\n-l ::1\n-m 64\n", address: "10.0.0.11", port: 11211, options: ["-l 10.0.0.11", "-p 11211", "-m 64"] },
    { title: "IPv6 address", before: debian, address: "fd00::11", port: 11211, options: ["-d", "-m 64", "-l fd00::11", "-p 11211", "-u memcache", "-P /var/run/memcached/memcached.pid"] },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const once = memcachedListen(c.before, c.address, c.port);
      assert.deepEqual(options(once), c.options);
      assert.equal(memcachedListen(once, c.address, c.port), once, "a second edit changes nothing");
      assert.equal(memcachedListen(memcachedListen(once, c.address, c.port), c.address, c.port), once);
      assert.ok(once.endsWith("\n"), "file still ends with a newline");
      const comments = (t: string) => t.split("\n").filter((l) => !l.startsWith("-"));
      assert.deepEqual(comments(once).filter((l) => l.startsWith("#") || l.startsWith("logfile")), comments(c.before).filter((l) => l.startsWith("#") || l.startsWith("logfile")), "comments and other lines kept");
    });
  }

  it("converged file: unchanged byte for byte", () => {
    const converged = memcachedListen(debian, "10.0.0.11", 11211);
    assert.equal(memcachedListen(converged, "10.0.0.11", 11211), converged);
  });

  it("address change on a converged file replaces the line in place", () => {
    const a = memcachedListen(debian, "10.0.0.11", 11211);
    const b = memcachedListen(a, "10.0.0.12", 11211);
    assert.deepEqual(options(b), ["-d", "-m 64", "-l 10.0.0.12", "-p 11211", "-u memcache", "-P /var/run/memcached/memcached.pid"]);
    assert.equal(a.split("\n").length, b.split("\n").length);
  });

  it("-P (pidfile) and -U are not mistaken for -p", () => {
    const out = memcachedListen("-P /run/m.pid\n-U 0\n-p 1\n", "10.0.0.11", 11211);
    assert.deepEqual(options(out), ["-P /run/m.pid", "-U 0", "-l 10.0.0.11", "-p 11211"]);
  });
});
