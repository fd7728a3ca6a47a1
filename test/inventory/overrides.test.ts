// glance_api_conf_overrides takes any section name: `{ env }` and `{ file }` are secret references only where
// a value stands (a key's value), never a section map.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { playbooks } from "../../playbooks/index.js";
import { renderFiles } from "../../src/core/render.js";
import { InventoryError } from "../../src/errors.js";
import { redactor } from "../../src/secrets/redactor.js";
import { tempInventories, thrown } from "./tempInventory.js";

const inv = tempInventories("overrides");
const withOverrides = (yaml: string) =>
  `all:\n  children:\n    controller:\n      hosts:\n        h1:\n          glance_api_conf_overrides:\n${yaml.replace(/^/gm, "            ")}\n`;

describe("override sections named like secret references", () => {
  it("sections file, env and DEFAULT load as sections and reach glance-api.conf", () => {
    const loaded = inv.load(
      withOverrides(`DEFAULT: { enabled_backends: "file:file,http:http" }
file: { filesystem_store_datadir: /srv/glance/images }
env: { file: x, env: y }`),
    );
    const overrides = loaded.hosts[0]!.vars.glance_api_conf_overrides;
    assert.deepEqual(overrides, {
      DEFAULT: { enabled_backends: "file:file,http:http" },
      file: { filesystem_store_datadir: "/srv/glance/images" },
      env: { file: "x", env: "y" },
    });
    const conf = renderFiles(playbooks.glance!, loaded.hosts)[0]!.files.find((f) => f.path.endsWith("glance-api.conf"))!.content;
    assert.match(conf, /^enabled_backends = file:file,http:http$/m);
    assert.match(conf, /^\[file\]\nfilesystem_store_datadir = \/srv\/glance\/images$/m);
    assert.match(conf, /^\[env\]\nfile = x\nenv = y$/m);
  });

  it("a key's value may be a secret reference: resolved, registered with the redactor", () => {
    const secret = "rbd-s3cret-value-42";
    const loaded = inv.load(withOverrides("glance_store: { rbd_store_user_key: { env: GD_RBD_KEY } }"), { requireGroup: "controller", env: { GD_RBD_KEY: secret } });
    assert.deepEqual(loaded.hosts[0]!.vars.glance_api_conf_overrides, { glance_store: { rbd_store_user_key: secret } });
    assert.equal(redactor.redact(`key=${secret}`), "key=***");
  });

  const refused: [what: string, yaml: string, expected: RegExp][] = [
    [
      "a malformed reference at a value",
      "DEFAULT: { debug: { env: A, file: B } }",
      /glance_api_conf_overrides\.DEFAULT\.debug: a secret reference is `\{ env: NAME \}` or `\{ file: PATH \}`/,
    ],
    ["an unresolvable reference at a value", "DEFAULT: { debug: { env: GD_SURELY_UNSET_42 } }", /glance_api_conf_overrides\.DEFAULT\.debug: environment variable GD_SURELY_UNSET_42 is not set/],
    ["a reference in place of the whole map", "{ env: GD_OVERRIDES }", /glance_api_conf_overrides\.env: expected a mapping/],
    ["a section that is not a map", "file: /etc/glance/overrides.ini", /glance_api_conf_overrides\.file: expected a mapping/],
  ];
  for (const [what, yaml, expected] of refused) {
    it(`refuses ${what}`, () => {
      const error = thrown(() => inv.load(withOverrides(yaml)));
      assert.ok(error instanceof InventoryError, String(error));
      assert.match(error.message, expected);
    });
  }

  it("a scalar variable still takes a reference as its value, and a map under env/file there is malformed", () => {
    const text = (value: string) => `all:\n  vars: { glance_db_password: ${value} }\n  children: { controller: { hosts: { h1: {} } } }\n`;
    assert.equal(inv.load(text("{ env: GD_DB }"), { requireGroup: "controller", env: { GD_DB: "db-pass-77" } }).hosts[0]!.vars.glance_db_password, "db-pass-77");
    const error = thrown(() => inv.load(text("{ file: { a: 1 } }")));
    assert.ok(error instanceof InventoryError);
    assert.match(error.message, /all\.vars\.glance_db_password: a secret reference is/);
  });
});
