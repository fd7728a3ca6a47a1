// The package as a user gets it: `npm pack`, installed into a fresh project, imported by name. This catches
// what the repository's own tests cannot see: `exports` pointing at a missing file, a run-time file (the
// templates) left out of `files`, or something private shipped in the tarball. dist/ is built by `npm test`.
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { execa } from "execa";

const ROOT = new URL("../../", import.meta.url).pathname;
const PROBE = join(ROOT, "test/cli/fixtures/loaded-packages.mjs");
const HEAVY = ["ssh2", "listr2", "mysql2"];
const env = { ADMIN_PASS: "a", KEYSTONE_DBPASS: "b", GLANCE_DBPASS: "c", GLANCE_PASS: "d" };

const work = mkdtempSync(join(tmpdir(), "gd-pack-"));
const project = join(work, "project");
after(() => rmSync(work, { recursive: true, force: true }));

// What a consumer runs: a plain ESM script that knows the package only by its name.
const SCRIPT = `import { loadInventory, renderFiles, playbooks } from "glance-deploy";
const inventory = loadInventory("example.yaml");
const rendered = renderFiles(playbooks.site, inventory.hosts);
console.log(JSON.stringify(rendered.flatMap(({ host, files }) => files.map((f) => ({ host, path: f.path, content: f.content })))));
`;

let tarball = "";
let packed: string[] = [];

describe("the packed package", { timeout: 180_000 }, () => {
  before(async () => {
    // --ignore-scripts: `prepare` would rebuild dist/, which npm test has just done.
    const pack = await execa("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], { cwd: ROOT });
    const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    tarball = join(work, info!.filename);
    packed = info!.files.map((f) => f.path);

    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "gd-consumer", private: true, type: "module" }));
    copyFileSync(join(ROOT, "inventory/example.yaml"), join(project, "example.yaml"));
    writeFileSync(join(project, "render.mjs"), SCRIPT);
    // Offline first: after `npm ci` the tarballs are cached. npm ci does not cache the registry's package
    // documents, though, so a cold cache needs them once; --prefer-offline fetches only what is missing.
    // --ignore-scripts skips ssh2's optional native build, which render never needs.
    const install = ["install", "--no-audit", "--no-fund", "--ignore-scripts", tarball];
    const offline = await execa("npm", [...install, "--offline"], { cwd: project, reject: false });
    if (offline.exitCode !== 0) await execa("npm", [...install, "--prefer-offline"], { cwd: project });
  });

  it("ships the build, templates and examples, and nothing else", () => {
    const allowed = [/^dist\/(src|playbooks)\//, /^templates\//, /^inventory\/[^/]+\.yaml$/, /^README\.md$/, /^package\.json$/];
    assert.deepEqual(
      packed.filter((p) => !allowed.some((re) => re.test(p))),
      [],
    );
    assert.ok(packed.includes("dist/src/index.js") && packed.includes("templates/glance-api.conf.hbs"), packed.join(" "));
  });

  it("installs with its types where package.json says", () => {
    const installed = join(project, "node_modules/glance-deploy");
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as {
      types: string;
      exports: { ".": { types: string; import: string } };
    };
    for (const file of [manifest.types, manifest.exports["."].types, manifest.exports["."].import]) {
      assert.ok(existsSync(join(installed, file)), `${file} is missing from the installed package`);
    }
    assert.match(readFileSync(join(installed, manifest.types), "utf8"), /loadInventory/);
  });

  it("renders inventory/example.yaml when imported by name", async () => {
    const run = await execa("node", ["render.mjs"], { cwd: project, env });
    const files = JSON.parse(run.stdout) as { host: string; path: string; content: string }[];
    const paths = files.map((f) => f.path);
    assert.ok(paths.includes("/etc/glance/glance-api.conf"), paths.join(" "));
    const conf = files.find((f) => f.path === "/etc/glance/glance-api.conf")!;
    assert.equal(conf.host, "controller1");
    assert.match(conf.content, /^flavor = keystone$/m);
  });

  it("loads none of ssh2, listr2, mysql2 on import and render", async () => {
    const record = join(work, "loaded");
    await execa("node", ["--import", PROBE, "render.mjs"], { cwd: project, env: { ...env, GD_LOADED_FILE: record } });
    const loaded = readFileSync(record, "utf8").split("\n");
    assert.ok(loaded.includes("glance-deploy"), `the probe saw the package load: ${loaded.join(" ")}`);
    assert.deepEqual(
      HEAVY.filter((p) => loaded.includes(p)),
      [],
    );
  });
});
