// A converged controller (site deployed), built once per machine and per version of what it deploys, kept as a
// lab snapshot, and cloned for each test that needs one: tests start from a real deployed host in seconds.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { DEFAULT_LAB_RELEASE, labDown, labExec, labSnapshots, labSnapshot, labUp, labPaths, type LabPaths, type LabState } from "../../src/lab/index.js";

const ROOT = new URL("../../", import.meta.url).pathname;
const BIN = join(ROOT, "dist/src/cli/bin.js");
// One state directory for every converged lab, so the snapshot and the secrets it was deployed with stay together.
const STATE = process.env.GLANCE_DEPLOY_CONVERGED_STATE ?? "/var/lib/glance-deploy/lab-converged";

export interface ConvergedLab {
  state: LabState;
  paths: LabPaths;
  inventory: string;
  exec(host: string, command: string): Promise<{ code: number; stdout: string; stderr: string }>;
  down(): Promise<void>;
}

// Everything that decides what a deployed host looks like; a change means a new snapshot.
function contentKey(): string {
  const hash = createHash("sha256");
  for (const dir of ["playbooks", "templates", "src/tasks", "src/render", "src/http"]) {
    for (const f of readdirSync(join(ROOT, dir)).sort()) hash.update(f).update(readFileSync(join(ROOT, dir, f)));
  }
  return hash.digest("hex").slice(0, 12);
}

// Deploys the playbooks on a fresh host with services bound to the name `controller`, then snapshots it.
async function buildSnapshot(paths: LabPaths, name: string, playbooks: string[], release: string): Promise<void> {
  const state = await labUp({ hosts: 1, release, paths, log: () => undefined });
  const inventory = join(paths.state, "inventory.converged.yaml");
  writeFileSync(inventory, readFileSync(state.inventory, "utf8").replace(/management_address: \S+/g, "management_address: controller"));
  for (const playbook of playbooks) {
    const r = await execa("node", [BIN, "deploy", "--inventory", inventory, "--playbook", playbook], { reject: false, env: { CI: "1" }, all: true });
    if (r.exitCode !== 0) throw new Error(`building snapshot ${name}: deploy ${playbook} exited ${r.exitCode}\n${r.all}`);
  }
  await labSnapshot(state.hosts[0]!.name, name, { paths });
}

export interface ConvergedLabOptions {
  // Only the first this many hosts are clones of the converged controller; the rest boot blank and resolve
  // `controller` to the first host (default: every host is a clone).
  fromHosts?: number;
  // How many of the first hosts are in the inventory's `controller` group (default: all of them).
  controllers?: number;
  // Debian release of the converged controller (default: the lab's, trixie); each release has its own snapshot.
  release?: string;
}

// `hosts` lab hosts. By default every one is a clone of a converged controller, answering as `controller` on its
// own address; with `fromHosts` only the first ones are, and the others are blank hosts to deploy beside the
// first (several controllers). `playbooks` choose the stage (default: the whole site; the benchmark also wants
// "everything but glance").
export async function convergedLab(hosts = 1, playbooks: string[] = ["site"], options: ConvergedLabOptions = {}): Promise<ConvergedLab> {
  const paths = labPaths({ ...process.env, GLANCE_DEPLOY_LAB_STATE: STATE });
  const release = options.release ?? DEFAULT_LAB_RELEASE;
  // Snapshot names allow a-z, 0-9, ".", "_", "-".
  const stage = playbooks.join("_");
  const name = `${stage}-${release}-${contentKey()}`;
  const existing = await labSnapshots(paths);
  if (!existing.some((s) => s.name === name)) {
    await labDown({ paths, graceMs: 0 }).catch(() => undefined);
    // Older snapshots of this stage and release (or named before releases were) are for code that no longer
    // exists; free their disk. The other release's snapshot stays.
    const stale = (n: string) => n.startsWith(`${stage}-${release}-`) || new RegExp(`^${stage}-[0-9a-f]{12}$`).test(n);
    for (const old of existing.filter((s) => stale(s.name))) rmSync(join(paths.snapshots, old.name), { recursive: true, force: true });
    await buildSnapshot(paths, name, playbooks, release);
  }
  const { fromHosts, controllers = hosts } = options;
  const state = await labUp({ hosts, release, from: name, fromHosts, controllers, paths, log: () => undefined });
  return {
    state,
    paths,
    inventory: state.inventory,
    exec: (host, command) => labExec(host, command, { paths, timeoutMs: 120_000 }),
    down: async () => void (await labDown({ paths, graceMs: 0 })),
  };
}
