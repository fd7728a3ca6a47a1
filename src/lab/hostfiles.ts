import { randomBytes } from "node:crypto";
import { chmod, chown, mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { NETWORK_ENV } from "./base.js";

// The files that make a copy of the base (or of a snapshot) into one particular host.

export interface HostIdentity {
  name: string;
  address: string;
  prefix: number;
}

// Every host knows every lab host by name; `controller` names the lab host labLayout chose for this one.
export function renderEtcHosts(all: readonly HostIdentity[], controllerAddress: string): string {
  const lines = ["127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback", "ff02::1\tip6-allnodes", "ff02::2\tip6-allrouters"];
  const seen = new Set<string>();
  for (const h of all) {
    const names = [h.name, ...(h.address === controllerAddress && !seen.has("controller") ? ["controller"] : [])];
    for (const n of names) seen.add(n);
    lines.push(`${h.address}\t${names.join(" ")}`);
  }
  return lines.join("\n") + "\n";
}

export interface HostFiles {
  identity: HostIdentity;
  // This host's /etc/hosts (see renderEtcHosts).
  etcHosts: string;
  hostPrivateKey: string;
  hostPublicKey: string;
  authorizedKey: string;
}

// Written through the overlay mount before boot, so they land in the host's own upper layer.
export async function writeHostFiles(root: string, files: HostFiles): Promise<void> {
  const at = (p: string) => join(root, p);
  const put = async (p: string, content: string, mode = 0o644) => {
    await mkdir(dirname(at(p)), { recursive: true });
    await writeFile(at(p), content, { mode });
    await chmod(at(p), mode);
  };
  await put("etc/hostname", `${files.identity.name}\n`);
  await put("etc/hosts", files.etcHosts);
  await put(NETWORK_ENV.slice(1), `ADDRESS=${files.identity.address}/${files.identity.prefix}\n`);
  await put("etc/machine-id", `${randomBytes(16).toString("hex")}\n`, 0o444);
  await put("etc/ssh/ssh_host_ed25519_key", files.hostPrivateKey, 0o600);
  await put("etc/ssh/ssh_host_ed25519_key.pub", `${files.hostPublicKey}\n`);
  await put("root/.ssh/authorized_keys", `${files.authorizedKey}\n`, 0o600);
  await chmod(at("root/.ssh"), 0o700);
  const deployer = await lookupUser(root, "deployer");
  await put("home/deployer/.ssh/authorized_keys", `${files.authorizedKey}\n`, 0o600);
  await chmod(at("home/deployer/.ssh"), 0o700);
  await chown(at("home/deployer/.ssh"), deployer.uid, deployer.gid);
  await chown(at("home/deployer/.ssh/authorized_keys"), deployer.uid, deployer.gid);
  // A login user's systemd manager, once started, stays: by default it stops ten seconds after the last
  // logout, and in these containers (cgroup v1 named hierarchy: no "cgroup empty" notice) that stop always
  // waits out its two-minute timeout, during which every new login hangs in session setup (seen as "no
  // answer to SSH keepalives" on freshly cloned fleets). Written at each start so existing caches get it too.
  await put("etc/systemd/logind.conf.d/glance-deploy-lab.conf", "[Login]\nUserStopDelaySec=infinity\n");
  // pam_env reads it on every SSH and su session and logs a warning when it is missing (a minbase root has none,
  // a real host's installer writes one). Empty, so no session's environment changes.
  await put("etc/default/locale", "# glance-deploy lab: no locale set (C); present so pam_env does not warn\n");
}

// Numeric ids come from the host's own /etc/passwd, not the machine's.
async function lookupUser(root: string, user: string): Promise<{ uid: number; gid: number }> {
  const passwd = await readFile(join(root, "etc/passwd"), "utf8");
  const fields = passwd.split("\n").map((l) => l.split(":")).find((f) => f[0] === user);
  if (!fields) throw new Error(`user ${user} missing from ${root}/etc/passwd`);
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}
