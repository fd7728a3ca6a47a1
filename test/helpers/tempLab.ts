// A throwaway lab for one e2e test file: its own state directory under the OS tmpdir, torn down and removed after.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { labDown, labPaths, labUp, type LabUpOptions } from "../../src/lab/index.js";

const notRoot = process.getuid?.() !== 0;

export interface TempLab {
  // Room for the test's own files (rendered configs, inventories, secrets); set in `before`.
  dir: string;
  // The lab's state directory, inside dir; set in `before`.
  state: string;
  // Where labUp writes the lab's inventory; set in `before`.
  inventory: string;
}

// Each e2e file gets its own lab, so files never tear down each other's hosts; the env override lets tests call
// the lab API without paths. `up` boots in the same hook: node 20 runs top-level `before` hooks side by side, so
// a labUp in a hook of its own could start before the override and boot the machine's default lab.
export function useTempLab(prefix: string, up?: LabUpOptions): TempLab {
  const lab: TempLab = { dir: "", state: "", inventory: "" };
  const saved = process.env.GLANCE_DEPLOY_LAB_STATE;
  before(async () => {
    if (notRoot) return;
    lab.dir = await mkdtemp(join(tmpdir(), prefix));
    lab.state = join(lab.dir, "lab");
    lab.inventory = labPaths({ ...process.env, GLANCE_DEPLOY_LAB_STATE: lab.state }).inventory;
    process.env.GLANCE_DEPLOY_LAB_STATE = lab.state;
    if (up) await labUp(up);
  });
  after(async () => {
    if (lab.dir === "") return;
    try {
      await labDown({ paths: labPaths({ ...process.env, GLANCE_DEPLOY_LAB_STATE: lab.state }), graceMs: 0 });
    } finally {
      await rm(lab.dir, { recursive: true, force: true });
      restoreEnv(saved);
    }
  });
  return lab;
}

// The next test file in the same process must see the lab its environment named, not ours.
function restoreEnv(saved: string | undefined): void {
  if (saved === undefined) delete process.env.GLANCE_DEPLOY_LAB_STATE;
  else process.env.GLANCE_DEPLOY_LAB_STATE = saved;
}
