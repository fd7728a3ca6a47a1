import { readFile } from "node:fs/promises";
import { probe, run } from "./run.js";
import { LabError } from "./errors.js";

// Overlay mounts for host roots, and finding/removing whatever the lab left mounted.

// A fresh root in milliseconds: writes land in the host's own upper dir, cached layers (top first) stay untouched.
export async function mountOverlay(lowers: readonly string[], upper: string, work: string, target: string): Promise<void> {
  for (const p of [...lowers, upper, work, target]) if (/[,:]/.test(p)) throw new LabError(`overlay path ${p} contains "," or ":", which overlayfs options cannot carry`);
  await run("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${lowers.join(":")},upperdir=${upper},workdir=${work}`, target]);
}

// Mount points at or below a directory, deepest first so they can be unmounted in order.
export async function mountsUnder(dir: string): Promise<string[]> {
  const info = await readFile("/proc/self/mountinfo", "utf8");
  const points = info
    .split("\n")
    .map((line) => line.split(" ")[4])
    .filter((p): p is string => !!p)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p === dir || p.startsWith(dir.endsWith("/") ? dir : dir + "/"));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

// Unmounts everything under dir; a busy mount is detached lazily rather than left behind.
export async function unmountUnder(dir: string): Promise<void> {
  for (const point of await mountsUnder(dir)) {
    if ((await probe("umount", [point])).code !== 0) await run("umount", ["--lazy", point]);
  }
}
