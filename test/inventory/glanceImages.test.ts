import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { loadInventory } from "../../src/inventory/load.js";

const dir = mkdtempSync(join(tmpdir(), "gd-images-inv-"));
after(() => rmSync(dir, { recursive: true, force: true }));

// What an inventory may say in `glance_images`: defaults filled, mistakes located as FILE:LINE:COLUMN.
describe("glance_images in an inventory", () => {
  const inventory = (entries: string) => {
    const path = join(dir, `inventory-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(path, `all:\n  children:\n    controller:\n      hosts:\n        c1:\n          glance_images:\n${entries}`);
    return path;
  };
  const cases: { title: string; yaml: string; entries?: unknown; error?: RegExp }[] = [
    {
      title: "a name and a file: the guide's defaults for the rest",
      yaml: "            - { name: cirros, file: ./cirros.qcow2 }\n",
      entries: [{ name: "cirros", file: "./cirros.qcow2", disk_format: "qcow2", container_format: "bare", visibility: "public", properties: {}, state: "present", replace: false }],
    },
    {
      title: "properties are written as text; checksums in lower case",
      yaml: "            - { name: c, url: 'http://mirror/c.img', properties: { os_version: 0.6, hw_qemu_guest_agent: true, hw_rng_model: yes }, checksum: " + "AB".repeat(16) + ", replace: yes }\n",
      entries: [{ name: "c", url: "http://mirror/c.img", disk_format: "qcow2", container_format: "bare", visibility: "public", properties: { os_version: "0.6", hw_qemu_guest_agent: "true", hw_rng_model: "yes" }, checksum: "ab".repeat(16), state: "present", replace: true }],
    },
    { title: "absent needs no source", yaml: "            - { name: old, state: absent }\n", entries: [{ name: "old", state: "absent", disk_format: "qcow2", container_format: "bare", visibility: "public", properties: {}, replace: false }] },
    { title: "both file and url", yaml: "            - { name: c, file: a, url: 'http://m/a' }\n", error: /:7:15: all\.children\.controller\.hosts\.c1\.glance_images\[0\]: give exactly one of `file` and `url`/ },
    { title: "neither file nor url", yaml: "            - { name: c }\n", error: /glance_images\[0\]: give exactly one of `file` and `url`/ },
    { title: "a checksum that is neither md5 nor sha512", yaml: "            - { name: c, file: a, checksum: abc }\n", error: /glance_images\[0\]\.checksum: must be a hex md5/ },
    { title: "an image attribute as a property", yaml: "            - { name: c, file: a, properties: { min_disk: 1 } }\n", error: /glance_images\[0\]\.properties\.min_disk: is an image attribute/ },
    { title: "a name listed twice", yaml: "            - { name: c, file: a }\n            - { name: c, file: b }\n", error: /:8:\d+: all\.children\.controller\.hosts\.c1\.glance_images\[1\]\.name: image `c` is listed twice/ },
    { title: "a misspelt key", yaml: "            - { name: c, file: a, disk-format: raw }\n", error: /glance_images\[0\]\.disk-format/ },
    { title: "an unknown visibility", yaml: "            - { name: c, file: a, visibility: everyone }\n", error: /glance_images\[0\]\.visibility/ },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const file = inventory(c.yaml);
      if (c.error) return void assert.throws(() => loadInventory(file, { requireGroup: "controller", env: {} }), (e: Error) => (assert.match(e.message, c.error!), true));
      const inv = loadInventory(file, { requireGroup: "controller", env: {} });
      assert.deepEqual(inv.hosts[0]!.vars.glance_images, c.entries);
    });
  }
});
