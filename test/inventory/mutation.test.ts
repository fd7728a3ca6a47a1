import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { InventoryError } from "../../src/errors.js";
import { loadInventory } from "../../src/inventory/load.js";

// Reproduce a failure with MUTATION_SEED=<seed printed in the failure>.
const SEED = Number(process.env.MUTATION_SEED ?? 20240611);
const CASES_PER_BASE = 200;

// mulberry32: small, fast, and the same sequence for the same seed on every platform.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const dir = mkdtempSync(join(tmpdir(), "gd-mutation-"));
const env = { ADMIN_PASS: "a-admin", KEYSTONE_DBPASS: "b-keystone", GLANCE_DBPASS: "c-glance", GLANCE_PASS: "d-glance" };

// The committed example (env secrets) and the lab's shape with `{ file: }` secrets that exist in a temp dir.
function bases(): { name: string; text: string }[] {
  const example = readFileSync(new URL("../../inventory/example.yaml", import.meta.url), "utf8");
  for (const name of ["keystone_admin_password", "keystone_db_password", "glance_db_password", "glance_keystone_password"]) {
    writeFileSync(join(dir, `${name}.secret`), `${name}-value\n`);
  }
  const lab = readFileSync(new URL("../../inventory/lab.yaml", import.meta.url), "utf8").replaceAll(/\/var\/lib\/glance-deploy\/lab\/secrets\/(\w+)/g, (_m, n: string) => join(dir, `${n}.secret`));
  return [
    { name: "example", text: example },
    { name: "lab", text: lab },
  ];
}

type Rand = () => number;
const pick = <T>(r: Rand, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
const int = (r: Rand, n: number) => Math.floor(r() * n);

const injections = ["\n", "\t", "{", "}", ":", ": ", "[", "]", ",", "#", "&a ", "*a", "!!binary ", "!!set ", "!!omap ", "? ", "- ", "|", ">", '"', "'", "%", "@", "`", "\0", "\u2028", "\ufeff", "ü", "<<: ", "---\n", "...\n", " ", "  "];
const values = ["[a, b]", "{ x: 1 }", "{}", "[]", "123", "-1", "0", "1e999", "0x1F", ".nan", "true", "no", "null", "~", '""', "''", `"${"x".repeat(100_000)}"`, "{ env: NOPE_NOT_SET }", "{ file: /nonexistent/secret }", "{ env: \"A\\nB\" }", "{ file: \"a\\nb\" }", "{ env: ADMIN_PASS, file: x }", "{ env: '' }", '"line1\\nline2"', '"tab\\there"', "!!binary aGVsbG8=", "&anchor 5", "*undefined_alias", "{ file: . }", "{ file: secrets }"];
const keys = ["bogus_key", "__proto__", "constructor", "toString", "hosts", "vars", "children", "all", "Ansible_Host", "ansible host", "\"quoted key\"", "'\\n'", "? complex", "1", "-", "glance_api_conf_overrides"];

// One random textual mutation of an inventory.
function mutate(r: Rand, text: string): string {
  const lines = text.split("\n");
  const line = int(r, lines.length);
  const pos = int(r, text.length + 1);
  switch (int(r, 11)) {
    case 0:
      return text.slice(0, pos) + text.slice(pos + 1);
    case 1:
      return text.slice(0, pos) + text.charAt(pos) + text.slice(pos);
    case 2:
      return lines.filter((_, i) => i !== line).join("\n");
    case 3:
      return [...lines.slice(0, line + 1), lines[line]!, ...lines.slice(line + 1)].join("\n");
    case 4: {
      // Replace a value (after the first ': ') with another type.
      const m = /^(\s*[^#:]+:\s)(.*)$/.exec(lines[line]!);
      if (!m) return mutate(r, text);
      lines[line] = m[1] + pick(r, values);
      return lines.join("\n");
    }
    case 5: {
      const indent = " ".repeat(pick(r, [0, 2, 4, 6, 8, 10, 12, 14]));
      lines.splice(line, 0, `${indent}${pick(r, keys)}: ${pick(r, ["1", "x", "{}", "[]", "", "{ env: ADMIN_PASS }"])}`);
      return lines.join("\n");
    }
    case 6: {
      const l = lines[line]!;
      lines[line] = pick(r, [" " + l, l.replace(/^ /, ""), l.replace(/^ {2}/, "\t"), l.trimStart(), "   " + l, l.replace(/^(\s*)/, "$1$1")]);
      return lines.join("\n");
    }
    case 7:
      return text.slice(0, pos) + pick(r, injections) + text.slice(pos);
    case 8: {
      // Rename a key.
      const m = /^(\s*)([^#:\s][^:]*):(.*)$/.exec(lines[line]!);
      if (!m) return mutate(r, text);
      lines[line] = `${m[1]}${pick(r, keys)}:${m[3]}`;
      return lines.join("\n");
    }
    case 9: {
      // Swap two lines.
      const other = int(r, lines.length);
      [lines[line], lines[other]] = [lines[other]!, lines[line]!];
      return lines.join("\n");
    }
    default: {
      let out = text;
      for (let n = 1 + int(r, 3); n > 0; n--) out = mutate(r, out);
      return out;
    }
  }
}

// The loader's contract: load, or an InventoryError located in the file, one line, no stack.
function checkOutcome(file: string, run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (!(error instanceof InventoryError)) return `not an InventoryError: ${error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error)}`;
    const message = error.message;
    if (!message.startsWith(`${file}:`)) return `message does not start with the file: ${JSON.stringify(message)}`;
    const rest = message.slice(file.length);
    if (!/^:\d+:\d+: \S/.test(rest) && !/^: \S/.test(rest)) return `message is not FILE:LINE:COL: or FILE: : ${JSON.stringify(message)}`;
    if (/[\n\r\u2028\u2029]/.test(message)) return `message spans several lines: ${JSON.stringify(message)}`;
    if (/\n\s+at |\bat .*\.(ts|js):\d+/.test(message)) return `message carries a stack: ${JSON.stringify(message)}`;
    return undefined;
  }
}

describe(`inventory loader under random mutations (seed ${SEED})`, () => {
  const all = bases();

  it("the unmutated bases load", () => {
    for (const base of all) {
      const file = join(dir, `${base.name}.yaml`);
      writeFileSync(file, base.text);
      const inv = loadInventory(file, { env, requireGroup: "controller" });
      assert.equal(inv.hosts.length, 1);
    }
  });

  for (const base of all) {
    it(`${CASES_PER_BASE} mutations of ${base.name}: load or a located one-line InventoryError`, () => {
      const failures: string[] = [];
      let loaded = 0;
      for (let i = 0; i < CASES_PER_BASE; i++) {
        const caseSeed = (SEED * 1000 + i) >>> 0;
        const r = prng(caseSeed ^ (base.name === "lab" ? 0x9e3779b9 : 0));
        const text = mutate(r, base.text);
        const file = join(dir, `${base.name}-${i}.yaml`);
        writeFileSync(file, text);
        const problem = checkOutcome(file, () => {
          loadInventory(file, { env, requireGroup: "controller" });
          loaded++;
        });
        if (problem) failures.push(`case ${i} (MUTATION_SEED=${SEED}, base ${base.name}): ${problem}\n--- mutated text (${file}) ---\n${text.length > 2000 ? text.slice(0, 2000) + `… (${text.length} chars)` : text}\n---`);
      }
      assert.ok(loaded < CASES_PER_BASE, "mutations do break some inventories");
      assert.deepEqual(failures, [], `${failures.length} of ${CASES_PER_BASE} mutations broke the contract:\n${failures.slice(0, 5).join("\n")}`);
    });
  }
});
