// Store modules as data: backends in the variables, config sections, directories and the default's validity out.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applyDefaults } from "../../src/inventory/vars.js";
import { backendSections, defaultBackendProblem, enabledBackends, storeDirectories } from "../../src/stores/index.js";

const vars = (extra: Record<string, unknown>) => applyDefaults("h1", extra);

const cases = [
  {
    title: "defaults: the guide's file store as fs, plus http",
    vars: {},
    enabled: "fs:file, http:http",
    sections: { fs: { filesystem_store_datadir: "/var/lib/glance/images/" } },
    dirs: ["/var/lib/glance/images/", "/var/lib/glance/os_glance_staging_store/", "/var/lib/glance/os_glance_tasks_store/"],
  },
  {
    title: "deprecated glance_stores/glance_default_store: read as backends with stable ids",
    vars: { glance_stores: "file", glance_default_store: "file", glance_filesystem_store_datadir: "/srv/img/" },
    enabled: "fs:file",
    sections: { fs: { filesystem_store_datadir: "/srv/img/" } },
    dirs: ["/srv/img/", "/var/lib/glance/os_glance_staging_store/", "/var/lib/glance/os_glance_tasks_store/"],
  },
  {
    title: "two file backends and custom staging",
    vars: { glance_backends: [{ id: "a", type: "file", datadir: "/a/" }, { id: "b", type: "file" }], glance_default_backend: "a", glance_staging_dir: "/st/" },
    enabled: "a:file, b:file",
    sections: { a: { filesystem_store_datadir: "/a/" }, b: { filesystem_store_datadir: "/var/lib/glance/images/" } },
    dirs: ["/a/", "/var/lib/glance/images/", "/st/", "/var/lib/glance/os_glance_tasks_store/"],
  },
];

describe("store modules", () => {
  for (const c of cases) {
    it(c.title, () => {
      const v = vars(c.vars);
      assert.equal(enabledBackends(v), c.enabled);
      assert.deepEqual(backendSections(v), c.sections);
      assert.deepEqual(storeDirectories(v), c.dirs);
      assert.equal(defaultBackendProblem(v), undefined);
    });
  }

  it("the default backend must exist and be writable", () => {
    assert.match(defaultBackendProblem(vars({ glance_default_backend: "x" }))!, /not the id of a backend/);
    assert.match(defaultBackendProblem(vars({ glance_default_backend: "http" }))!, /read-only/);
  });
});
