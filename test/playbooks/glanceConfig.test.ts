import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { glanceApiConf } from "../../playbooks/glanceConfig.js";

const GLANCE_API_CONF = "/etc/glance/glance-api.conf";
import { applyDefaults } from "../../src/inventory/vars.js";
import { getIniValue } from "../../src/render/ini.js";

// Variables as the loader leaves them for a host with the four secrets set.
const vars = (extra: Record<string, unknown> = {}) =>
  applyDefaults("controller1", { ansible_host: "192.0.2.10", glance_db_password: "GLANCE_DBPASS", glance_keystone_password: "GLANCE_PASS", keystone_admin_password: "ADMIN_PASS", ...extra });

// Every key the install guide's Glance chapter sets in glance-api.conf, with the guide's values.
const guide: [string, string, string][] = [
  ["database", "connection", "mysql+pymysql://glance:GLANCE_DBPASS@controller/glance"],
  ["keystone_authtoken", "www_authenticate_uri", "http://controller:5000"],
  ["keystone_authtoken", "auth_url", "http://controller:5000"],
  ["keystone_authtoken", "memcached_servers", "controller:11211"],
  ["keystone_authtoken", "auth_type", "password"],
  ["keystone_authtoken", "project_domain_name", "Default"],
  ["keystone_authtoken", "user_domain_name", "Default"],
  ["keystone_authtoken", "project_name", "service"],
  ["keystone_authtoken", "username", "glance"],
  ["keystone_authtoken", "password", "GLANCE_PASS"],
  ["paste_deploy", "flavor", "keystone"],
  // The 2025.1 guide's multi-store form (Glance deprecated stores/default_store for removal).
  ["DEFAULT", "enabled_backends", "fs:file, http:http"],
  ["glance_store", "default_backend", "fs"],
  ["fs", "filesystem_store_datadir", "/var/lib/glance/images/"],
  ["os_glance_staging_store", "filesystem_store_datadir", "/var/lib/glance/os_glance_staging_store/"],
  ["os_glance_tasks_store", "filesystem_store_datadir", "/var/lib/glance/os_glance_tasks_store/"],
];

// The lines of one section.
function sectionLines(content: string, section: string): string[] {
  const start = content.split("\n").indexOf(`[${section}]`);
  const rest = content.split("\n").slice(start + 1);
  const end = rest.findIndex((l) => l.startsWith("["));
  return end < 0 ? rest : rest.slice(0, end);
}

describe("glanceApiConf: the guide's glance-api.conf", () => {
  it("file metadata: root:glance 0640 at the package path", () => {
    const f = glanceApiConf(vars());
    assert.deepEqual([f.path, f.owner, f.group, f.mode], [GLANCE_API_CONF, "root", "glance", 0o640]);
    assert.equal(f.path, "/etc/glance/glance-api.conf");
  });

  for (const [section, key, value] of guide) {
    it(`[${section}] ${key} = ${value}`, () => assert.equal(getIniValue(glanceApiConf(vars()).content, section, key), value));
  }

  it("each guide key appears exactly once, nothing is left unrendered", () => {
    const content = glanceApiConf(vars()).content;
    for (const [section, key] of guide) assert.equal(sectionLines(content, section).filter((l) => new RegExp(`^${key}\\s*=`).test(l)).length, 1, key);
    assert.doesNotMatch(content, /^(stores|default_store)\s*=/m, "no deprecated store options");
    assert.doesNotMatch(content, /\{\{|\}\}|undefined|\[object Object\]/);
    assert.ok(content.endsWith("\n"));
  });

  it("variables flow into their keys", () => {
    const c = glanceApiConf(vars({ controller_host: "ctl", glance_db_user: "gl", glance_db_name: "images", keystone_service_project: "services", glance_stores: "file", glance_filesystem_store_datadir: "/srv/images/" })).content;
    // The deprecated glance_stores still works: read as the backend list.
    assert.equal(getIniValue(c, "database", "connection"), "mysql+pymysql://gl:GLANCE_DBPASS@ctl/images");
    assert.equal(getIniValue(c, "keystone_authtoken", "auth_url"), "http://ctl:5000");
    assert.equal(getIniValue(c, "keystone_authtoken", "memcached_servers"), "ctl:11211");
    assert.equal(getIniValue(c, "keystone_authtoken", "project_name"), "services");
    assert.equal(getIniValue(c, "DEFAULT", "enabled_backends"), "fs:file");
    assert.equal(getIniValue(c, "fs", "filesystem_store_datadir"), "/srv/images/");
  });

  it("backends as a list: each file backend gets its section, the default is named", () => {
    const backends = [{ id: "fast", type: "file", datadir: "/srv/fast/" }, { id: "bulk", type: "file", datadir: "/srv/bulk/" }, { id: "web", type: "http" }];
    const c = glanceApiConf(vars({ glance_backends: backends, glance_default_backend: "bulk" })).content;
    assert.equal(getIniValue(c, "DEFAULT", "enabled_backends"), "fast:file, bulk:file, web:http");
    assert.equal(getIniValue(c, "glance_store", "default_backend"), "bulk");
    assert.equal(getIniValue(c, "fast", "filesystem_store_datadir"), "/srv/fast/");
    assert.equal(getIniValue(c, "bulk", "filesystem_store_datadir"), "/srv/bulk/");
    assert.equal(getIniValue(c, "web", "filesystem_store_datadir"), undefined);
  });

  it("a default backend that is not in the list, or read-only, is refused", () => {
    assert.throws(() => glanceApiConf(vars({ glance_default_backend: "nope" })), /glance_default_backend nope is not the id of a backend in glance_backends \(fs, http\)/);
    assert.throws(() => glanceApiConf(vars({ glance_default_backend: "http" })), /http is a http backend, which is read-only/);
  });

  const passwords = [`p@ss:w/rd?#&=+%`, `'quoted'`, `"dq"`, "$dollar", "a b", " lead", "ünï ✓", "{{ x }}", "back\\slash", "100%", "semi;colon"];
  for (const password of passwords) {
    it(`connection = percent-encodes the password ${JSON.stringify(password)} and it decodes back`, () => {
      const content = glanceApiConf(vars({ glance_db_password: password })).content;
      const connection = getIniValue(content, "database", "connection")!;
      const m = /^mysql\+pymysql:\/\/glance:([^@]*)@controller\/glance$/.exec(connection);
      assert.ok(m, `connection keeps its shape: ${connection}`);
      assert.match(m[1]!, /^[A-Za-z0-9%._~!*()'-]*$/, "only unreserved characters and escapes in the password part");
      assert.equal(decodeURIComponent(m[1]!), password);
    });

    it(`[keystone_authtoken] password reads back ${JSON.stringify(password)}`, () => {
      const content = glanceApiConf(vars({ glance_keystone_password: password })).content;
      assert.equal(getIniValue(content, "keystone_authtoken", "password"), password);
      // oslo.config interpolates a lone `$`, so the written line must double every one.
      const line = content.split("\n").find((l) => l.startsWith("password = "))!;
      assert.doesNotMatch(line.replaceAll("$$", ""), /\$/, line);
    });
  }

  it("overrides are applied key by key without disturbing the guide's keys", () => {
    const c = glanceApiConf(vars({ glance_api_conf_overrides: { DEFAULT: { show_image_direct_url: true, workers: 2 }, fs: { filesystem_store_datadir: "/srv/x/" }, oslo_limit: { endpoint_id: "abc" } } })).content;
    assert.equal(getIniValue(c, "DEFAULT", "show_image_direct_url"), "true");
    assert.equal(getIniValue(c, "DEFAULT", "workers"), "2");
    assert.equal(getIniValue(c, "fs", "filesystem_store_datadir"), "/srv/x/");
    assert.equal(getIniValue(c, "oslo_limit", "endpoint_id"), "abc");
    assert.equal(getIniValue(c, "glance_store", "default_backend"), "fs");
    assert.equal(getIniValue(c, "database", "connection"), "mysql+pymysql://glance:GLANCE_DBPASS@controller/glance");
  });

  it("rendering is deterministic (same bytes twice)", () => {
    assert.equal(glanceApiConf(vars()).content, glanceApiConf(vars()).content);
  });
});
