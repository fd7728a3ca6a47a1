import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { loadInventory, type Inventory, type LoadOptions } from "../../src/inventory/load.js";

// Inventories written to a private temp directory (removed after the file's tests), loaded as the CLI does.
export function tempInventories(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), `gd-${prefix}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const write = (text: string, name = `inv${++n}.yaml`) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  return {
    dir,
    write,
    load: (text: string, options: LoadOptions = { requireGroup: "controller", env: {} }): Inventory => loadInventory(write(text), options),
  };
}

// The error a function throws (undefined when it does not), for assertions on its class and message.
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}
