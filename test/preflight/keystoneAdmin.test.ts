// Keystone's admin password: an admin that exists with another password than keystone_admin_password is never
// changed silently. The preflight refuses before any change and the bootstrap task refuses too, naming the
// variables, unless keystone_admin_password_reset asks for the change; a first bootstrap (no admin yet) and a
// missing project or role are repaired as before.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { playbooks } from "../../playbooks/index.js";
import { runPlay } from "../../src/apply/play.js";
import { keystoneAdminPassword } from "../../src/preflight/keystoneAdmin.js";
import { tasksOf, type Task } from "../../src/plan/types.js";
import type { TaskResult } from "../../src/report/types.js";
import { ScriptedHost } from "../helpers/scriptedHost.js";
import { ADMIN_PASS, bootstrapped, FakeKeystone, type KeystoneState } from "../tasks/keystoneFake.js";
import { hostVars } from "../tasks/runTask.js";

const bootstrap = tasksOf(playbooks.keystone!).find((t) => t.name.startsWith("Keystone bootstrap"))!;
const OTHER = "Someone-Elses-Pass";

// The host's side: Keystone's database (is there such a user?) and keystone-manage bootstrap, which sets the
// admin's password to what it reads on stdin, as the real one does.
function identityHost(fake: FakeKeystone, db: "readable" | "unreadable"): ScriptedHost {
  return new ScriptedHost("h1", [
    [/FROM `keystone`\.local_user WHERE name = X\W*([0-9a-f]+)/, (m) => {
      if (db === "unreadable") return { code: 1, stdout: "ERROR 2002 (HY000): Can't connect to local server through socket '/run/mysqld/mysqld.sock' (2)\n" };
      const name = Buffer.from(m[1]!, "hex").toString();
      return `${fake.state.users.filter((u) => u.name === name && u.domain_id === "default").length}\n`;
    }],
    [/^IFS= read -r OS_BOOTSTRAP_PASSWORD && export OS_BOOTSTRAP_PASSWORD && keystone-manage bootstrap /, (_m, stdin) => {
      const s = fake.state;
      let admin = s.users.find((u) => u.name === "admin");
      if (!admin) s.users.push((admin = { id: "u-admin", name: "admin", domain_id: "default", password: "", enabled: true }));
      admin.password = stdin.replace(/\n$/, "");
      if (!s.projects.some((p) => p.name === "admin")) s.projects.push({ id: "p-admin", name: "admin", domain_id: "default" });
      s.assignments.add("p-admin/u-admin/r-admin");
      return "";
    }],
  ]);
}

const withAdmin = (password: string): KeystoneState => {
  const s = bootstrapped();
  s.users[0]!.password = password;
  return s;
};
const noAdmin = (): KeystoneState => ({ ...bootstrapped(), users: [], projects: [], assignments: new Set() });
const noProject = (): KeystoneState => ({ ...bootstrapped(), projects: [], assignments: new Set() });

async function play(task: Task | undefined, state: KeystoneState, vars: Record<string, unknown>, db: "readable" | "unreadable" = "readable", preflight = true) {
  const fake = new FakeKeystone(state);
  const h = identityHost(fake, db);
  await fake.attach(h);
  try {
    const report = await runPlay({
      playbook: { name: "test", group: "controller", preflight: preflight ? [keystoneAdminPassword] : [], tasks: task ? [task] : [] },
      hosts: [{ name: "h1", groups: ["controller"], vars: hostVars({ keystone_admin_password: ADMIN_PASS, ...vars }) }],
      connect: async () => h,
    });
    return { report, fake, h, bootstraps: h.commands().filter((c) => c.includes("keystone-manage bootstrap")).length };
  } finally {
    await fake.close();
  }
}

const only = (tasks: TaskResult[], prefix: string) => tasks.filter((t) => t.name.startsWith(prefix));
const refusal = /^Keystone's admin user admin exists and does not accept keystone_admin_password: set keystone_admin_password to the admin's current password, or set keystone_admin_password_reset: true to change it to the inventory's$/;

describe("Keystone admin password: preflight and bootstrap", () => {
  const cases: {
    title: string;
    state: () => KeystoneState;
    vars?: Record<string, unknown>;
    db?: "readable" | "unreadable";
    preflight: "ok" | RegExp;
    task?: { status: string; summary?: RegExp; error?: RegExp };
    bootstraps: number;
    adminPassword?: string;
  }[] = [
    { title: "the admin accepts the inventory's password: nothing to do", state: () => withAdmin(ADMIN_PASS), preflight: "ok", task: { status: "ok" }, bootstraps: 0, adminPassword: ADMIN_PASS },
    { title: "no admin yet: a first bootstrap", state: noAdmin, preflight: "ok", task: { status: "changed", summary: /^bootstrap Keystone \(admin user, region, identity endpoints\)$/ }, bootstraps: 1, adminPassword: ADMIN_PASS },
    { title: "the right password but no admin project: bootstrap repairs it", state: noProject, preflight: "ok", task: { status: "changed", summary: /admin's project and role/ }, bootstraps: 1, adminPassword: ADMIN_PASS },
    { title: "an admin with another password: the preflight refuses before any change", state: () => withAdmin(OTHER), preflight: refusal, bootstraps: 0, adminPassword: OTHER },
    { title: "an admin with another password, unreadable database: refused, saying why", state: () => withAdmin(OTHER), db: "unreadable", preflight: /whether that user exists cannot be read on h1 \(ERROR 2002 .*\): set keystone_admin_password .* keystone_admin_password_reset: true/, bootstraps: 0, adminPassword: OTHER },
    {
      title: "an admin with another password and keystone_admin_password_reset: changed and reported",
      state: () => withAdmin(OTHER),
      vars: { keystone_admin_password_reset: true },
      preflight: "ok",
      task: { status: "changed", summary: /^change the password of Keystone's admin admin to keystone_admin_password \(keystone_admin_password_reset\)/ },
      bootstraps: 1,
      adminPassword: ADMIN_PASS,
    },
  ];
  for (const c of cases) {
    it(c.title, async () => {
      const { report, fake, bootstraps } = await play(bootstrap, c.state(), c.vars ?? {}, c.db);
      const pre = only(report.tasks, "preflight:");
      if (c.preflight === "ok") assert.deepEqual(pre, [], JSON.stringify(pre));
      else {
        assert.equal(pre.length, 1);
        assert.match(pre[0]!.error ?? "", c.preflight);
        assert.deepEqual(only(report.tasks, "Keystone bootstrap"), [], "no task after a failed preflight");
      }
      if (c.task) {
        const [task] = only(report.tasks, "Keystone bootstrap");
        assert.equal(task?.status, c.task.status, JSON.stringify(report.tasks));
        if (c.task.summary) assert.match(task!.summary ?? "", c.task.summary);
      }
      assert.equal(bootstraps, c.bootstraps);
      assert.equal(fake.state.users.find((u) => u.name === "admin")?.password, c.adminPassword);
      assert.ok(!JSON.stringify(report).includes(OTHER) && !JSON.stringify(report).includes(ADMIN_PASS), "no password in the report");
    });
  }

  it("the bootstrap task refuses on its own (Keystone came up only after the preflight)", async () => {
    const { report, fake, bootstraps } = await play(bootstrap, withAdmin(OTHER), {}, "readable", false);
    const [task] = only(report.tasks, "Keystone bootstrap");
    assert.equal(task?.status, "failed");
    assert.match(task!.error ?? "", refusal);
    assert.equal(bootstraps, 0);
    assert.equal(fake.state.users[0]!.password, OTHER);
  });

  // Keystone does not answer its version document: what its unit says decides between passing and waiting.
  const silent: { title: string; unit?: string; error?: RegExp }[] = [
    { title: "not installed (a blank host): nothing to protect, passes", unit: "ActiveState=inactive\nLoadState=not-found" },
    { title: "stopped: nothing to protect now (the bootstrap task asks again), passes", unit: "ActiveState=inactive\nLoadState=loaded" },
    { title: "running but not answering (loading its workers): waited for, then fails naming the URL", unit: "ActiveState=active\nLoadState=loaded", error: /^http:\/\/controller:5000\/v3 did not answer within 1 s/ },
  ];
  for (const c of silent) {
    it(`Keystone silent, ${c.title}`, async () => {
      const h = new ScriptedHost("h1", [
        [/^systemctl show -p ActiveState -p LoadState '?keystone'?$/, () => `${c.unit}\n`],
        [/^journalctl /, () => ""],
      ]);
      h.forwardTo = async () => Promise.reject(new Error("Connection refused"));
      const report = await runPlay({
        playbook: { name: "test", group: "controller", preflight: [keystoneAdminPassword], tasks: [] },
        hosts: [{ name: "h1", groups: ["controller"], vars: hostVars({ keystone_admin_password: ADMIN_PASS, service_start_timeout: 1 }) }],
        connect: async () => h,
      });
      if (!c.error) return assert.deepEqual(report.tasks, []);
      assert.match(report.tasks[0]?.error ?? "", c.error);
    });
  }

  it("site and keystone carry the preflight", () => {
    for (const name of ["site", "keystone"]) assert.ok(playbooks[name]!.preflight?.includes(keystoneAdminPassword), name);
  });
});
