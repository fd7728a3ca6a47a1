// Hostile passwords and secret hygiene on a converged lab host: a full site deploy with passwords made of every
// quoting layer's special characters passes, verify passes; no secret shows in stdout, stderr, the JSON and JUnit
// reports, --diff output, error messages, or the argv of any process on the host (sampled with ps during the
// run); config files are never seen partial or with a wider mode while they are replaced; only the files that
// must hold a secret do, at 0640 or tighter; the tool's own files on the host are root-only and cleaned up.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { convergedLab, type ConvergedLab } from "../helpers/converged.js";
import { changedTasks, cli, deploy, failures, notRoot, parseReport, sh, skip, variant } from "../reliability/kit.js";

const HOST = "lab1";
let lab: ConvergedLab;
let work = "";

// Every layer's special characters: SQL and shell quotes, $ and backtick expansion, ; and # comments, % (URL
// and oslo), @ / : (URL), backslash, &, spaces, Handlebars braces. Each starts with a plain token so its
// trace can be found whatever encoding a file gave it. DB passwords: Latin-1 letters (PyMySQL); Keystone's: any.
const special = `'"$HOME \`id\` $(id) ;#%41%@/:\\& {{ x }} {{{y}}}`;
const secrets = {
  glance_db_password: `TkGlanceDb7 ${special} é ü ñ`,
  keystone_db_password: `TkKeystoneDb7 ${special} ß ø`,
  keystone_admin_password: `TkAdmin7 ${special} Жж 漢字`,
  glance_keystone_password: `TkGlanceKs7 ${special} Ωλ`,
};
const tokens = Object.values(secrets).map((s) => s.split(" ")[0]!);
const WATCH = ["/etc/glance/glance-api.conf", "/etc/keystone/keystone.conf", "/root/admin-openrc"];

function hostileInventory(name: string, overrides: Partial<typeof secrets> = {}): string {
  const values = { ...secrets, ...overrides };
  for (const [k, v] of Object.entries(values)) writeFileSync(join(work, `${name}-${k}`), v, { mode: 0o600 });
  // The admin's password changes too: asked for explicitly, as an operator must.
  return variant(lab, name, { keystone_admin_password_reset: "true" }, (text) =>
    text.replace(/(\w+_password): \{ file: [^}]+\}/g, (line, key: string) => (key in values ? `${key}: { file: ${join(work, `${name}-${key}`)} }` : line)),
  );
}

const noSecretIn = (where: string, text: string) => {
  for (const t of tokens) assert.ok(!text.includes(t), `${where} contains a secret (${t}…)`);
};

before(async () => {
  if (notRoot) return;
  work = mkdtempSync(join(tmpdir(), "gd-secrets-"));
  lab = await convergedLab(1);
});
after(async () => {
  if (notRoot) return;
  await lab?.down();
  rmSync(work, { recursive: true, force: true });
});

describe("hostile passwords and secret hygiene on a lab host", { skip, timeout: 15 * 60_000 }, () => {
  it("site deploy and verify pass with hostile passwords; nothing leaks; files are replaced atomically", async () => {
    const inventory = hostileInventory("hostile");
    const junit = join(work, "report.xml");
    const before = await sh(lab, HOST, `sha256sum ${WATCH.join(" ")}`);
    // Sampler: every process's argv, and each watched file's mode, owner and hash, as fast as the host allows.
    const files = WATCH.join(" ");
    await sh(
      lab,
      HOST,
      `mkdir -p /run/gd-test && systemd-run --quiet --unit=gd-test-sampler sh -c 'while :; do ps -eww -o args= >> /run/gd-test/ps; ` +
        `for f in ${files}; do echo "$(stat -c "%n %a %U:%G" $f) $(sha256sum < $f)"; done >> /run/gd-test/files; sleep 0.02; done'`,
    );
    let r;
    try {
      r = await deploy(inventory, "site", ["--diff", "--junit", junit, "-v"]);
    } finally {
      await lab.exec(HOST, "systemctl stop gd-test-sampler");
    }
    assert.equal(r.code, 0, failures(r.report));
    const changed = changedTasks(r.report);
    // Keystone's DB password lives in its client option file, not in keystone.conf (see playbooks/keystone.ts).
    for (const t of ["Glance database user @%", "Keystone database user @%", "Keystone user glance", "glance-api.conf", "Keystone database client file", "Keystone bootstrap", "admin-openrc"]) {
      assert.ok(changed.some((c) => c.startsWith(t)), `${t} should have changed; changed: ${changed.join(", ")}`);
    }
    noSecretIn("stdout (JSON report)", r.stdout);
    noSecretIn("stderr (progress, --diff)", r.stderr);
    noSecretIn("JUnit report", readFileSync(junit, "utf8"));
    assert.match(r.stderr, /\*\*\*/, "the diff shows masked secrets");

    // No secret in any process's argv on the host during the run.
    const ps = await sh(lab, HOST, "cat /run/gd-test/ps");
    assert.ok(ps.split("\n").length > 200, `the sampler saw the run (${ps.split("\n").length} lines)`);
    noSecretIn("ps on the host", ps);

    // A watched file was only ever its old or its complete new self, never wider than its final mode.
    const after = await sh(lab, HOST, `sha256sum ${WATCH.join(" ")}`);
    const allowed = new Set([...before.split("\n"), ...after.split("\n")].map((l) => l.split(" ")[0]).filter(Boolean));
    const modes: Record<string, string> = { "/etc/glance/glance-api.conf": "640 root:glance", "/etc/keystone/keystone.conf": "640 root:keystone", "/root/admin-openrc": "600 root:root" };
    const samples = (await sh(lab, HOST, "cat /run/gd-test/files")).trim().split("\n");
    assert.ok(samples.length > 30, `${samples.length} samples`);
    for (const line of samples) {
      const m = /^(\S+) (\d+ \S+) ([0-9a-f]{64})  -$/.exec(line);
      if (!m) continue; // a sample taken just as a rename happened (stat of a vanished path) says nothing
      assert.equal(m[2], modes[m[1]!], `${m[1]} seen as ${m[2]}`);
      assert.ok(allowed.has(m[3]!), `${m[1]} seen with content that is neither the old nor the new file`);
    }

    const v = await cli(["verify", "--inventory", inventory, "--json"]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    noSecretIn("verify output", v.stdout + v.stderr);
    const again = await deploy(inventory, "site");
    assert.equal(again.code, 0, failures(again.report));
    assert.deepEqual(changedTasks(again.report), []);
  });

  it("only the config files that must hold a secret do, at 0640 or tighter; the tool leaves no temp files", async () => {
    const dirs = "/etc /root /home /tmp /var/tmp /var/lib/glance-deploy /var/log /run /srv /opt";
    const found = new Map<string, string>();
    for (const t of tokens) {
      const r = await lab.exec(HOST, `grep -rlIa --exclude-dir=gd-test -e ${t} ${dirs} 2>/dev/null; true`);
      for (const f of r.stdout.trim().split("\n").filter(Boolean)) found.set(f, "");
    }
    const expected = ["/etc/glance/glance-api.conf", "/etc/keystone/keystone.conf", "/etc/keystone/mysql-client.cnf", "/root/admin-openrc"];
    const holders = [...found.keys()].sort();
    for (const f of holders) assert.ok(expected.includes(f) || f.startsWith("/etc/keystone/"), `${f} holds a secret`);
    assert.ok(holders.includes("/etc/glance/glance-api.conf") && holders.includes("/root/admin-openrc"), holders.join(", "));
    const stats = await sh(lab, HOST, `stat -c '%n %a' ${holders.join(" ")}`);
    for (const line of stats.trim().split("\n")) {
      const mode = parseInt(line.split(" ").at(-1)!, 8);
      assert.equal(mode & 0o137, 0, `${line}: no write for group, nothing for others, no execute`);
    }
    // The tool's state on the host: root-only directory and files, no pending state left, no temp files.
    const state = await sh(lab, HOST, "stat -c '%n %a %U:%G' /var/lib/glance-deploy /var/lib/glance-deploy/*");
    for (const line of state.trim().split("\n")) {
      assert.match(line, /^\/var\/lib\/glance-deploy(\/\S+ 600| 700) root:root$/, line);
    }
    assert.doesNotMatch(state, /pending-handlers/);
    const temps = await sh(lab, HOST, "find /etc /root /var/lib/glance-deploy /tmp -name '.*.??????' -newer /etc/hostname 2>/dev/null; true");
    assert.equal(temps.trim(), "", `temp files left: ${temps}`);
  });

  it("errors carry no secret: a wrong admin password fails preflight with a masked message", async () => {
    const wrong = `TkWrongAdmin7 ${special}`;
    tokens.push("TkWrongAdmin7");
    const inventory = hostileInventory("wrong-admin", { keystone_admin_password: wrong });
    const junit = join(work, "wrong.xml");
    const r = await deploy(inventory, "glance", ["--diff", "--junit", junit]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.report.hosts[HOST]!.error ?? "", /^preflight failed: Keystone at .*: .*start keystone or run --playbook keystone$/);
    noSecretIn("stdout", r.stdout);
    noSecretIn("stderr", r.stderr);
    noSecretIn("JUnit", readFileSync(junit, "utf8"));
  });

  it("host key: unknown under strict is refused (exit 4); a changed key is refused naming file and line; accept-new records", async () => {
    const known = readFileSync(lab.state.knownHosts, "utf8").split("\n").find((l) => l.includes(lab.state.hosts[0]!.address))!;
    const [names, type] = known.split(" ");
    const address = lab.state.hosts[0]!.address;
    const file = (name: string, text: string) => {
      const path = join(work, name);
      writeFileSync(path, text);
      return path;
    };
    const run = (kh: string, policy: string) =>
      cli(["deploy", "--inventory", variant(lab, `hk-${policy}`, { ssh_known_hosts_file: kh, ssh_host_key_policy: policy }), "--playbook", "memcached", "--check", "--json"], {
        HOME: work, // no ~/.ssh/known_hosts of the machine's own
      });

    const empty = file("kh-empty", "");
    const strict = await run(empty, "strict");
    assert.equal(strict.code, 4, strict.stderr);
    assert.match(parseReport(strict).hosts[HOST]!.error ?? "", /^lab1 \(\S+\): host key ssh-ed25519 SHA256:\S+ is not in .*kh-empty.* and the host key policy is strict/);
    assert.equal(readFileSync(empty, "utf8"), "", "strict records nothing");

    // Same names and key type, another key, on line 3.
    const other = (await sh(lab, HOST, "rm -f /tmp/k /tmp/k.pub; ssh-keygen -q -t ed25519 -N '' -f /tmp/k && cat /tmp/k.pub && rm -f /tmp/k /tmp/k.pub")).split(" ")[1];
    const changedFile = file("kh-changed", `# project known hosts\n\n${names} ${type} ${other}\n`);
    for (const policy of ["strict", "accept-new"]) {
      const r = await run(changedFile, policy);
      assert.equal(r.code, 4, r.stderr);
      assert.ok((parseReport(r).hosts[HOST]!.error ?? "").includes(`HOST KEY CHANGED: ${changedFile}:3 has`), r.stdout);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }

    const fresh = file("kh-new", "");
    const accept = await run(fresh, "accept-new");
    assert.equal(accept.code, 0, accept.stderr);
    assert.match(readFileSync(fresh, "utf8"), new RegExp(`^${address.replace(/\./g, "\\.")} ${type} `, "m"));
  });
});
