import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { InventoryError } from "../../src/errors.js";
import { loadInventory } from "../../src/inventory/load.js";
import { redactor } from "../../src/secrets/redactor.js";

const dir = new URL("./bad/", import.meta.url).pathname;

// Each malformed inventory states, in its first line, the location and message it must produce.
describe("malformed inventories: file:line:column, key path, what was expected", () => {
  for (const name of readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort()) {
    it(name, () => {
      const file = join(dir, name);
      const expect = /^# expect: (\d+):(\d+) (.*)$/m.exec(readFileSync(file, "utf8"));
      assert.ok(expect, "corpus file states its expectation");
      const error = catchError(() => loadInventory(file, { requireGroup: "controller", env: {} }));
      assert.ok(error instanceof InventoryError, `expected an InventoryError, got ${String(error)}`);
      assert.equal(error.exitCode, 5);
      assert.ok(error.message.startsWith(`${file}:${expect[1]}:${expect[2]}: ${expect[3]}`), error.message);
      assert.doesNotMatch(error.message, /\n|    at /, "one line, no stack");
    });
  }
});

describe("merging and secrets", () => {
  const tmp = mkdtempSync(join(tmpdir(), "gd-inv-"));
  const write = (name: string, text: string) => {
    const path = join(tmp, name);
    writeFileSync(path, text);
    return path;
  };

  it("host vars override group vars override all.vars; nested groups by depth", () => {
    const file = write(
      "merge.yaml",
      `all:
  vars: { ansible_user: a, glance_stores: all, glance_default_store: all, glance_paste_flavor: all }
  children:
    controller:
      vars: { ansible_user: b, glance_stores: controller }
      children:
        east:
          vars: { glance_stores: east, glance_default_store: east }
          hosts:
            h1: { glance_stores: h1 }
      hosts:
        h2:
`,
    );
    const inv = loadInventory(file, { requireGroup: "controller" });
    const h1 = inv.hosts.find((h) => h.name === "h1")!;
    const h2 = inv.hosts.find((h) => h.name === "h2")!;
    assert.equal(h1.vars.ansible_user, "b");
    assert.equal(h1.vars.glance_stores, "h1");
    assert.equal(h1.vars.glance_default_store, "east");
    assert.equal(h1.vars.glance_paste_flavor, "all");
    assert.equal(h2.vars.glance_stores, "controller");
    assert.equal(h2.vars.ansible_host, "h2", "ansible_host defaults to the inventory name");
    assert.deepEqual(inv.groups.controller?.sort(), ["h1", "h2"]);
    assert.deepEqual(h1.groups.sort(), ["controller", "east"]);
  });

  it("defaults follow controller_host and the guide's values", () => {
    const file = write("defaults.yaml", "all:\n  vars: { controller_host: ctl }\n  children:\n    controller: { hosts: { h1: { ansible_host: 10.1.1.1 } } }\n");
    const v = loadInventory(file).hosts[0]!.vars;
    assert.equal(v.glance_url, "http://ctl:9292");
    assert.equal(v.keystone_url, "http://ctl:5000");
    assert.equal(v.memcached_servers, "ctl:11211");
    assert.equal(v.management_address, "10.1.1.1");
    assert.equal(v.glance_filesystem_store_datadir, "/var/lib/glance/images/");
    assert.equal(v.keystone_region, "RegionOne");
  });

  it("resolves env and file secrets (relative to the inventory), registers them with the redactor", () => {
    const secret = `s3cr'et"$x;#%@/:\\& {{ }} ünï`;
    write("pass.txt", "from-file-secret\n");
    const file = write(
      "secrets.yaml",
      "all:\n  vars:\n    glance_db_password: { env: GD_PASS }\n    glance_keystone_password: { file: pass.txt }\n  children:\n    controller: { hosts: { h1: {} } }\n",
    );
    const inv = loadInventory(file, { env: { GD_PASS: secret } });
    assert.equal(inv.hosts[0]!.vars.glance_db_password, secret);
    assert.equal(inv.hosts[0]!.vars.glance_keystone_password, "from-file-secret");
    assert.equal(redactor.redact(`a ${secret} b from-file-secret c`), "a *** b *** c");
    assert.equal(redactor.redact(encodeURIComponent(secret)), "***");
    assert.deepEqual(inv.warnings, []);
  });

  it("warns about inline passwords without echoing them", () => {
    const file = write("inline.yaml", "all:\n  vars:\n    glance_db_password: inline-pass-123\n  children:\n    controller: { hosts: { h1: {} } }\n");
    const inv = loadInventory(file);
    assert.equal(inv.warnings.length, 1);
    assert.match(inv.warnings[0]!, /inline\.yaml:3:25: glance_db_password is written inline/);
    assert.doesNotMatch(inv.warnings[0]!, /inline-pass-123/);
    assert.equal(redactor.redact("inline-pass-123"), "***");
  });

  it("reads the committed example inventory", () => {
    const env = { ADMIN_PASS: "a1x", KEYSTONE_DBPASS: "b2x", GLANCE_DBPASS: "c3x", GLANCE_PASS: "d4x" };
    const inv = loadInventory(new URL("../../inventory/example.yaml", import.meta.url).pathname, { requireGroup: "controller", env });
    assert.deepEqual(inv.groups.controller, ["controller1"]);
    assert.equal(inv.hosts[0]!.vars.ansible_become, true);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("redactor", () => {
  it("masks the forms a secret takes in files: raw, URL, INI, shell-quoted", async () => {
    const { quote } = await import("shlex");
    const secret = `r3d'act"$x y%@`;
    redactor.add(secret);
    for (const form of [secret, encodeURIComponent(secret), secret.replaceAll("$", "$$$$"), quote(secret)]) {
      assert.equal(redactor.redact(`a ${form} b`), "a *** b", form);
    }
  });
});
