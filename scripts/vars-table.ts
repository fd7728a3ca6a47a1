// Prints the README's inventory variable table (npm run docs:vars) from src/inventory/vars/.
// With --write, replaces the block between the vars-table markers in README.md instead.
import { readFileSync, writeFileSync } from "node:fs";
import { varsMarkdownTable } from "../src/inventory/varsDoc.js";

const table = varsMarkdownTable() + "\n";

if (process.argv.includes("--write")) {
  const readme = new URL("../README.md", import.meta.url);
  const text = readFileSync(readme, "utf8");
  const begin = "<!-- vars-table:begin -->\n";
  const end = "<!-- vars-table:end -->";
  const from = text.indexOf(begin);
  const to = text.indexOf(end, from);
  // Refuse rather than guess: a missing marker means the README was restructured by hand.
  if (from < 0 || to < 0) throw new Error("README.md: vars-table markers not found");
  writeFileSync(readme, text.slice(0, from + begin.length) + table + text.slice(to));
} else {
  process.stdout.write(table);
}
