// `render --placeholders` loading: no secret reference is read (a missing file or variable is no error), every
// secret, inline or referenced, becomes a placeholder naming its variable; other values stay as written.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { tempInventories } from "./tempInventory.js";

const inv = tempInventories("placeholders");
const text = `all:
  vars:
    keystone_admin_password: { file: /nonexistent/admin }
    glance_db_password: { env: NOT_SET_ANYWHERE }
    glance_keystone_password: inline-secret
    glance_api_conf_overrides:
      file: { filesystem_store_datadir: /srv/images }
      DEFAULT: { transport_url: { env: ALSO_NOT_SET } }
  children:
    controller:
      hosts:
        c1: { ansible_host: 192.0.2.10 }
`;

describe("inventory with placeholders", () => {
  it("reads no reference and names each secret", () => {
    const loaded = inv.load(text, { requireGroup: "controller", env: {}, placeholders: true });
    const v = loaded.hosts[0]!.vars;
    assert.equal(v.keystone_admin_password, "__keystone_admin_password__");
    assert.equal(v.glance_db_password, "__glance_db_password__");
    assert.equal(v.glance_keystone_password, "__glance_keystone_password__");
    assert.deepEqual(v.glance_api_conf_overrides, { file: { filesystem_store_datadir: "/srv/images" }, DEFAULT: { transport_url: "__transport_url__" } });
  });

  it("without placeholders the same inventory fails on the missing reference", () => {
    assert.throws(() => inv.load(text, { requireGroup: "controller", env: {} }), /nonexistent\/admin|NOT_SET_ANYWHERE/);
  });
});
