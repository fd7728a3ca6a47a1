// Builds SshTargets pointing at a test sshd, so each test states only what it varies.
import { once } from "node:events";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import type { SshTarget } from "../../src/transport/types.js";
import type { TestSshd } from "../helpers/sshd.js";

// Why: a fresh known_hosts per test keeps host-key tests independent of each other and of ~/.ssh.
export function targetFor(sshd: TestSshd, overrides: Partial<SshTarget> = {}): SshTarget {
  return {
    name: "lab1",
    address: sshd.address,
    port: sshd.port,
    user: "root",
    privateKeyPath: sshd.userKeyPath,
    become: false,
    hostKeyPolicy: "accept-new",
    knownHostsFiles: [join(sshd.dir, `known_hosts.${Math.random().toString(36).slice(2)}`)],
    ...overrides,
  };
}

// A loopback port nothing listens on (just freed by a probe listener), for "connection refused" cases.
export async function closedPort(): Promise<number> {
  const probe = createServer().listen(0, "127.0.0.1");
  await once(probe, "listening");
  const port = (probe.address() as AddressInfo).port;
  probe.close();
  await once(probe, "close");
  return port;
}
