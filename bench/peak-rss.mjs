// Preloaded by the benchmark (node --import): at exit, writes the process's peak resident set (KB) where the
// bench asked. Reads a counter only; changes nothing the tool does.
import { writeFileSync } from "node:fs";

const file = process.env.GD_BENCH_RSS_FILE;
if (file) process.on("exit", () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
