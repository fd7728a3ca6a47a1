// Pure lab layout decisions: for each set of `lab up` options, which hosts boot from the snapshot, which group
// each joins with which management_address, and where each host's /etc/hosts points `controller`. No root.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { UsageError } from "../../src/errors.js";
import { labLayout, labTexts, type LayoutOptions } from "../../src/lab/layout.js";
import { labPaths } from "../../src/lab/paths.js";

const repoRoot = new URL("../../", import.meta.url).pathname;
const defaults = labPaths({});
const identities = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `lab${i + 1}`, address: `10.77.0.${11 + i}`, prefix: 24 }));

// What `lab up` would write for these options, read back: groups as host → management_address, and per host the
// address its /etc/hosts gives `controller`.
function outcome(options: LayoutOptions) {
  const layout = labLayout(options);
  const texts = labTexts(defaults, identities(options.hosts), layout);
  const doc = parse(texts.inventory) as { all: { children: Record<string, { hosts: Record<string, { management_address: string }> }> } };
  const groups = Object.fromEntries(
    Object.entries(doc.all.children).map(([group, g]) => [group, Object.fromEntries(Object.entries(g.hosts).map(([h, v]) => [h, v.management_address]))]),
  );
  const controllerOn = texts.etcHosts.map((text) => text.split("\n").filter((l) => l.split("\t")[1]?.split(" ").includes("controller")).map((l) => l.split("\t")[0]));
  return { groups, controllerOn: controllerOn.map((a) => a.join(",")), clones: layout.hosts.flatMap((h, i) => (h.fromSnapshot ? [i + 1] : [])), texts };
}

const a = (n: number) => `10.77.0.${10 + n}`;
const cases: Array<{ what: string; options: LayoutOptions; groups: Record<string, Record<string, string>>; controllerOn: string[]; clones: number[] }> = [
  { what: "default: one blank controller", options: { hosts: 1, fromSnapshot: false }, groups: { controller: { lab1: a(1) } }, controllerOn: [a(1)], clones: [] },
  {
    what: "blank hosts: the first is the controller, the rest compute",
    options: { hosts: 3, fromSnapshot: false },
    groups: { controller: { lab1: a(1) }, compute: { lab2: a(2), lab3: a(3) } },
    controllerOn: [a(1), a(1), a(1)],
    clones: [],
  },
  {
    what: "blank hosts, two controllers",
    options: { hosts: 3, controllers: 2, fromSnapshot: false },
    groups: { controller: { lab1: a(1), lab2: a(2) }, compute: { lab3: a(3) } },
    controllerOn: [a(1), a(1), a(1)],
    clones: [],
  },
  {
    what: "all clones: each its own controller, managed as `controller`",
    options: { hosts: 2, fromSnapshot: true },
    groups: { controller: { lab1: "controller", lab2: "controller" } },
    controllerOn: [a(1), a(2)],
    clones: [1, 2],
  },
  {
    what: "--from-hosts equal to --hosts is clone mode",
    options: { hosts: 2, fromSnapshot: true, fromHosts: 2 },
    groups: { controller: { lab1: "controller", lab2: "controller" } },
    controllerOn: [a(1), a(2)],
    clones: [1, 2],
  },
  {
    what: "all clones, one controller: the others stay clones that answer as `controller` themselves",
    options: { hosts: 3, controllers: 1, fromSnapshot: true },
    groups: { controller: { lab1: "controller" }, compute: { lab2: "controller", lab3: "controller" } },
    controllerOn: [a(1), a(2), a(3)],
    clones: [1, 2, 3],
  },
  {
    what: "mixed: the first host a clone, the others blank computes reaching it as `controller`",
    options: { hosts: 3, fromSnapshot: true, fromHosts: 1 },
    groups: { controller: { lab1: "controller" }, compute: { lab2: a(2), lab3: a(3) } },
    controllerOn: [a(1), a(1), a(1)],
    clones: [1],
  },
  {
    what: "mixed, every host a controller",
    options: { hosts: 3, controllers: 3, fromSnapshot: true, fromHosts: 1 },
    groups: { controller: { lab1: "controller", lab2: a(2), lab3: a(3) } },
    controllerOn: [a(1), a(1), a(1)],
    clones: [1],
  },
  {
    what: "mixed with two clones: only the first keeps `controller`, the second is managed by its own address",
    options: { hosts: 3, controllers: 3, fromSnapshot: true, fromHosts: 2 },
    groups: { controller: { lab1: "controller", lab2: a(2), lab3: a(3) } },
    controllerOn: [a(1), a(1), a(1)],
    clones: [1, 2],
  },
];

describe("lab layout: options in, inventory and /etc/hosts out", () => {
  for (const c of cases) {
    it(c.what, () => {
      const got = outcome(c.options);
      assert.deepEqual({ groups: got.groups, controllerOn: got.controllerOn, clones: got.clones }, { groups: c.groups, controllerOn: c.controllerOn, clones: c.clones });
    });
  }

  it("writes the default lab's inventory byte for byte as the committed inventory/lab.yaml", async () => {
    const committed = await readFile(join(repoRoot, "inventory/lab.yaml"), "utf8");
    assert.equal(outcome({ hosts: 1, fromSnapshot: false }).texts.inventory, committed);
  });

  it("writes a mixed lab's groups in the committed shape: controllers as blocks, computes inline", () => {
    const text = outcome({ hosts: 3, controllers: 2, fromSnapshot: true, fromHosts: 1 }).texts.inventory;
    assert.ok(
      text.endsWith(
        [
          "  children:",
          "    controller:",
          "      hosts:",
          "        lab1:",
          "          ansible_host: 10.77.0.11",
          "          management_address: controller",
          "        lab2:",
          "          ansible_host: 10.77.0.12",
          "          management_address: 10.77.0.12",
          "    compute:",
          "      hosts:",
          "        lab3: { ansible_host: 10.77.0.13, management_address: 10.77.0.13 }",
          "",
        ].join("\n"),
      ),
      text,
    );
  });

  it("writes a full /etc/hosts: localhost, then every host by name, `controller` beside its host", () => {
    assert.equal(
      outcome({ hosts: 2, fromSnapshot: true, fromHosts: 1 }).texts.etcHosts[1],
      "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n10.77.0.11\tlab1 controller\n10.77.0.12\tlab2\n",
    );
  });

  it("lets the API pin `controller` to each host even in a mixed lab", () => {
    assert.deepEqual(outcome({ hosts: 2, fromSnapshot: true, fromHosts: 1, controllerPerHost: true }).controllerOn, [a(1), a(2)]);
  });

  it("quotes state paths that YAML would otherwise misread", () => {
    const odd = labPaths({ GLANCE_DEPLOY_LAB_STATE: "/tmp/my lab: #1" });
    const doc = parse(labTexts(odd, identities(1), labLayout({ hosts: 1, fromSnapshot: false })).inventory);
    assert.equal(doc.all.vars.ansible_ssh_private_key_file, "/tmp/my lab: #1/id_ed25519");
    assert.deepEqual(doc.all.vars.keystone_db_password, { file: "/tmp/my lab: #1/secrets/keystone_db_password" });
    assert.deepEqual(doc.all.vars.glance_db_password, { file: "/tmp/my lab: #1/secrets/glance_db_password" });
  });

  it("refuses counts outside 1..--hosts, fractions, and --from-hosts without --from", () => {
    const bad: LayoutOptions[] = [
      { hosts: 2, controllers: 3, fromSnapshot: false },
      { hosts: 2, controllers: 0, fromSnapshot: false },
      { hosts: 2, controllers: 1.5, fromSnapshot: false },
      { hosts: 3, fromSnapshot: true, fromHosts: 4 },
      { hosts: 3, fromSnapshot: true, fromHosts: 0 },
      { hosts: 3, fromSnapshot: false, fromHosts: 1 },
    ];
    for (const options of bad) assert.throws(() => labLayout(options), UsageError, JSON.stringify(options));
  });
});
