// The host lock is the first privileged command of every play. When it cannot be taken (the state directory is
// a file, the SSH user cannot act as root) the host fails like a task: exit 2, the JSON and the recap count
// failed=1 with the task "host lock", and the error is one line naming the fix.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cli, deploy, failures, sh, skip, variant, useConvergedLab } from "./kit.js";

const HOST = "lab1";
const lab = useConvergedLab();

// One failed "host lock" task and nothing else, in the JSON, and the same count in the plain recap.
async function lockFails(inventory: string, error: RegExp): Promise<void> {
  const r = await deploy(inventory, "glance");
  assert.equal(r.code, 2, r.stderr);
  const host = r.report.hosts[HOST]!;
  assert.match(host.error ?? "", error);
  assert.equal(host.failed, 1, JSON.stringify(host));
  assert.deepEqual(r.report.tasks.map((t) => [t.name, t.status, t.error]), [["host lock", "failed", host.error]]);
  const plain = await cli(["deploy", "--inventory", inventory, "--playbook", "glance"]);
  assert.equal(plain.code, 2);
  assert.match(plain.stdout, /^lab1\s+FAILED\s+ok=0 changed=0 failed=1 skipped=0 /m);
  assert.doesNotMatch(plain.stdout + plain.stderr, /\n\s+at |sudo: a password is required\n|Operation not permitted\n/);
}

describe("host lock failures and privileges on a lab host", { skip, timeout: 10 * 60_000 }, () => {
  it("/var/lib/glance-deploy is a file: counted as the failed task `host lock`", async () => {
    await sh(lab(), HOST, "mv /var/lib/glance-deploy /var/lib/glance-deploy.gd-test && touch /var/lib/glance-deploy");
    try {
      await lockFails(lab().inventory, /^lab1: taking the host lock \/var\/lib\/glance-deploy\/lock exited 1: \/var\/lib\/glance-deploy exists and is not a directory$/);
    } finally {
      await sh(lab(), HOST, "rm -f /var/lib/glance-deploy && mv /var/lib/glance-deploy.gd-test /var/lib/glance-deploy");
    }
  });

  it("a sudoer with passwordless sudo and ansible_become works (the inventory below is otherwise right)", async () => {
    const r = await deploy(variant(lab(), "deployer", { ansible_user: "deployer", ansible_become: "true" }), "glance", ["--check"]);
    assert.equal(r.code, 0, failures(r.report));
  });

  it("sudo asks for a password: one line, passwordless sudo or root", async () => {
    await sh(lab(), HOST, "mv /etc/sudoers.d/deployer /root/deployer.sudoers.gd-test");
    try {
      const inventory = variant(lab(), "deployer-nopass", { ansible_user: "deployer", ansible_become: "true" });
      await lockFails(inventory, /^lab1: user deployer needs passwordless sudo: `sudo -n` asked for a password; give deployer passwordless sudo \(NOPASSWD\) or connect as root \(ansible_user: root\)$/);
    } finally {
      await sh(lab(), HOST, "install -m 0440 /root/deployer.sudoers.gd-test /etc/sudoers.d/deployer && rm /root/deployer.sudoers.gd-test");
    }
  });

  it("not root and no ansible_become: one line, set ansible_become", async () => {
    const inventory = variant(lab(), "deployer-nobecome", { ansible_user: "deployer" });
    await lockFails(inventory, /^lab1: user deployer is not root and ansible_become is not set: set ansible_become: true \(deployer needs passwordless sudo\) or connect as root$/);
  });
});
