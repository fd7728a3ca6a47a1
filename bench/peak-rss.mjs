// Preloaded by the benchmark (node --import): at exit, writes the process's peak resident set (KB) and the CPU
// time it used (ms, user + system) where the bench asked. Reads counters only; changes nothing the tool does.
import { writeFileSync } from "node:fs";

const file = process.env.GD_BENCH_RSS_FILE;
if (file) {
  process.on("exit", () => {
    const u = process.resourceUsage();
    writeFileSync(file, `${u.maxRSS} ${Math.round((u.userCPUTime + u.systemCPUTime) / 1000)}`);
  });
}
