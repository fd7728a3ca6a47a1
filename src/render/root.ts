import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// Bundled templates sit at the package root, which is 2 levels above src/ files and 3 above dist/src/ files.
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) || !existsSync(join(dir, "templates"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("glance-deploy package root not found");
    dir = up;
  }
  return dir;
}
