import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { varsMarkdownTable } from "../../src/inventory/varsDoc.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

it("README's variable reference matches the variable table (npm run docs:vars)", () => {
  const block = readme.split("<!-- vars-table:begin -->\n")[1]?.split("<!-- vars-table:end -->")[0];
  assert.equal(block?.trim(), varsMarkdownTable().trim());
});

it("README's quick start test command is what .ci/run runs", () => {
  const ci = readFileSync(new URL("../../.ci/run", import.meta.url), "utf8");
  assert.match(readme, /^npm test\s+#/m);
  assert.match(ci, /^npm test$/m);
});
