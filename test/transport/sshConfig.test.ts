// OpenSSH client config through `ssh -G`: the output parser on captured text, then the real ssh reading real
// config files, and the route a target gets from inventory values, ssh config and defaults together.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir, userInfo } from "node:os";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { UnreachableError } from "../../src/errors.js";
import { expandSshPath } from "../../src/transport/paths.js";
import { planRoute } from "../../src/transport/route.js";
import { defaultConfigMaySet, parseSshG, readSshConfig, sshGWrapper, type SshConfigValues } from "../../src/transport/sshConfig.js";
import type { SshTarget } from "../../src/transport/types.js";

// Shapes of `ssh -G` output (OpenSSH 9.2), trimmed to the lines that matter plus some that do not.
const outputs: [string, string, SshConfigValues][] = [
  [
    "an alias with everything set",
    "user alice\nhostname 10.1.2.3\nport 2200\naddressfamily any\nidentityfile ~/.ssh/web_key\nidentityfile /unset/\nproxyjump bob@bast:2222,carol@bast2\n",
    { hostname: "10.1.2.3", port: 2200, user: "alice", identityFiles: ["~/.ssh/web_key"], proxyJump: "bob@bast:2222,carol@bast2" },
  ],
  [
    "nothing configured: the sentinels show through",
    "user /unset/\nhostname other\nport 22\nidentityfile /unset/\nproxyusefdpass no\n",
    { hostname: "other", port: 22, identityFiles: [] },
  ],
  [
    "a ProxyCommand and ProxyJump none",
    "hostname h\nport 22\nuser /unset/\nproxycommand ssh -W %h:%p gw\nproxyjump none\n",
    { hostname: "h", port: 22, identityFiles: [], proxyCommand: "ssh -W %h:%p gw" },
  ],
  [
    "several identities in order, tokens unexpanded",
    "hostname h\nport 22\nuser admin\nidentityfile %d/.ssh/%r@%h\nidentityfile ~/.ssh/second\nidentityfile /unset/\n",
    { hostname: "h", port: 22, user: "admin", identityFiles: ["%d/.ssh/%r@%h", "~/.ssh/second"] },
  ],
];

describe("ssh -G output", () => {
  for (const [name, text, expected] of outputs) {
    it(name, () => assert.deepEqual(parseSshG(text), expected));
  }
  it("refuses output without hostname or port", () => {
    assert.throws(() => parseSshG("user x\n"), /no hostname or port/);
  });
  it("the wrapper includes the default files in ssh's order, or only -F's file", () => {
    assert.match(sshGWrapper(), /^Include "~\/\.ssh\/config"\nInclude "\/etc\/ssh\/ssh_config"\nHost \*\n/);
    assert.match(sshGWrapper("/x/y z"), /^Include "\/x\/y z"\nHost \*\n/);
    assert.throws(() => sshGWrapper('/x/"y'), /quote/);
  });
});

describe("IdentityFile paths", () => {
  const tokens = { host: "10.0.0.9", port: 2200, user: "admin", alias: "web2" };
  const cases: [string, string][] = [
    ["~/.ssh/id_web", join(homedir(), ".ssh/id_web")],
    ["%d/.ssh/%r@%h", join(homedir(), ".ssh/admin@10.0.0.9")],
    ["/keys/%n-%p-%u", `/keys/web2-2200-${userInfo().username}`],
    ["/keys/100%%", "/keys/100%"],
    ["/keys/%Z", "/keys/%Z"],
  ];
  for (const [path, expected] of cases) it(`${path} → ${expected}`, () => assert.equal(expandSshPath(path, tokens), expected));
});

describe("reading a config with ssh -G", () => {
  let dir: string;
  let file: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "glance-sshconfig-"));
    file = join(dir, "config");
    await writeFile(join(dir, "included"), "Host inc\n  HostName 10.9.9.9\n  User fromincluded\n");
    await writeFile(
      file,
      [
        `Include ${join(dir, "included")}`,
        "Host web",
        "  HostName 127.0.0.1",
        "  Port 2200",
        "  User deployer",
        "  IdentityFile ~/.ssh/web_key",
        "  ProxyJump gw",
        "Host gw",
        "  HostName 10.0.0.1",
        "  User jumper",
        "  Port 2022",
        "  IdentityFile /keys/gw",
        "Host viacommand",
        "  ProxyCommand ssh -W %h:%p gw",
        "Match host matched",
        "  User frommatch",
        "",
      ].join("\n"),
    );
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  const cases: [string, Partial<SshConfigValues>][] = [
    ["web", { hostname: "127.0.0.1", port: 2200, user: "deployer", identityFiles: ["~/.ssh/web_key"], proxyJump: "gw" }],
    ["inc", { hostname: "10.9.9.9", port: 22, user: "fromincluded", identityFiles: [] }],
    ["matched", { hostname: "matched", user: "frommatch" }],
    ["unknown.example.org", { hostname: "unknown.example.org", port: 22, identityFiles: [] }],
    ["viacommand", { proxyCommand: "ssh -W %h:%p gw" }],
  ];
  for (const [alias, expected] of cases) {
    it(`${alias}: ${JSON.stringify(expected)}`, async () => {
      const values = await readSshConfig(alias, file);
      assert.ok(values);
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(values[key as keyof SshConfigValues], value, key);
      if (!("user" in expected)) assert.equal(values.user, undefined, "an unset User is not the local user");
    });
  }

  it("a broken config is one line from ssh naming the file", async () => {
    const broken = join(dir, "broken");
    await writeFile(broken, "Host x\n  NoSuchOption yes\n");
    await assert.rejects(readSshConfig("x", broken), /^Error: ssh -G x failed: \/tmp\/\S+\/broken: line 2: Bad configuration option: nosuchoption$/);
  });

  const target = (over: Partial<SshTarget>): SshTarget => ({
    name: "c1",
    address: "web",
    become: false,
    hostKeyPolicy: "strict",
    knownHostsFiles: [],
    sshConfig: { file },
    ...over,
  });

  it("inventory values win over the ssh config, which wins over the defaults", async () => {
    const fromConfig = await planRoute(target({}));
    assert.deepEqual(fromConfig, {
      target: { name: "c1", address: "127.0.0.1", port: 2200, user: "deployer", keyFiles: [join(homedir(), ".ssh/web_key")] },
      jumps: [{ name: "gw", address: "10.0.0.1", port: 2022, user: "jumper", keyFiles: ["/keys/gw"] }],
    });
    const fromInventory = await planRoute(target({ port: 22, user: "root", privateKeyPath: "/keys/mine", proxyJump: "ops@other:2200" }));
    assert.deepEqual(fromInventory, {
      target: { name: "c1", address: "127.0.0.1", port: 22, user: "root", keyFiles: ["/keys/mine"] },
      jumps: [{ name: "other", address: "other", port: 2200, user: "ops", keyFiles: ["/keys/mine"] }],
    });
    const defaults = await planRoute(target({ address: "10.2.2.2" }));
    assert.deepEqual(defaults, { target: { name: "c1", address: "10.2.2.2", port: 22, user: "root", keyFiles: [] }, jumps: [] });
    const noJump = await planRoute(target({ proxyJump: "none" }));
    assert.deepEqual(noJump.jumps, []);
  });

  it("without sshConfig nothing is read: the alias stays as written", async () => {
    const { sshConfig: _, ...plain } = target({});
    assert.deepEqual(await planRoute(plain), { target: { name: "c1", address: "web", port: 22, user: "root", keyFiles: [] }, jumps: [] });
  });

  it("a ProxyCommand in the ssh config is refused with the way out (exit 4, naming the host)", async () => {
    await assert.rejects(planRoute(target({ address: "viacommand" })), (error: unknown) => {
      assert.ok(error instanceof UnreachableError);
      assert.equal(error.message, "c1 (viacommand:22): the ssh config sets ProxyCommand, which glance-deploy does not run; name the jump host with ProxyJump instead");
      return true;
    });
    // An explicit ProxyJump makes the ProxyCommand irrelevant, as in ssh.
    assert.equal((await planRoute(target({ address: "viacommand", proxyJump: "gw" }))).jumps[0]?.address, "10.0.0.1");
  });
});

describe("when ssh -G is worth starting", () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const layout = (files: Record<string, string>) => {
    const root = mkdtempSync(join(tmpdir(), "gd-sshcfg-"));
    dirs.push(root);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return { home: join(root, "home"), etc: join(root, "etc/ssh") };
  };
  const stock = "Include ETC/ssh_config.d/*.conf\nHost *\n    SendEnv LANG LC_*\n    HashKnownHosts yes\n#   User nobody\n";
  const cases: { title: string; files: Record<string, string>; want: boolean }[] = [
    { title: "Debian's stock files and no user config: no", files: { "etc/ssh/ssh_config": stock }, want: false },
    { title: "a user config: yes", files: { "etc/ssh/ssh_config": stock, "home/.ssh/config": "Host x\n  HostName y\n" }, want: true },
    { title: "a drop-in setting User: yes", files: { "etc/ssh/ssh_config": stock, "etc/ssh/ssh_config.d/10-user.conf": "Host *\n  User ops\n" }, want: true },
    { title: "the system file setting ProxyJump: yes", files: { "etc/ssh/ssh_config": stock + "Host 10.*\n  ProxyJump bastion\n" }, want: true },
    { title: "a drop-in with unrelated keys only: no", files: { "etc/ssh/ssh_config": stock, "etc/ssh/ssh_config.d/20-env.conf": "Host *\n  ServerAliveInterval 30\n" }, want: false },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const { home, etc } = layout(Object.fromEntries(Object.entries(c.files).map(([k, v]) => [k, v.replaceAll("ETC", "")])));
      // The stock Include names the real drop-in directory of this layout.
      const sys = join(etc, "ssh_config");
      if (existsSync(sys)) writeFileSync(sys, readFileSync(sys, "utf8").replace("Include /ssh_config.d/*.conf", `Include ${etc}/ssh_config.d/*.conf`));
      assert.equal(defaultConfigMaySet(home, etc), c.want);
    });
  }
});
