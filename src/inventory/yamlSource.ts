import { oneLine } from "../report/text.js";
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node } from "yaml";
import { InventoryError } from "../errors.js";

export type KeyPath = (string | number)[];

// A parsed YAML file that can say where any key path sits, so every error points at file:line:column.
export class YamlSource {
  private constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  // Parses strictly (duplicate keys are errors) and turns the first syntax error into an InventoryError.
  static parse(file: string, text: string): YamlSource {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, merge: false });
    const first = doc.errors[0];
    if (first) {
      const pos = first.linePos?.[0] ?? lines.linePos(first.pos[0]);
      const message = first.message.split("\n")[0]!.replace(/ at line \d+, column \d+.*$/, "");
      throw new InventoryError(file, pos.line, pos.col, "", `YAML syntax error: ${message}`);
    }
    return new YamlSource(file, doc, lines);
  }

  // Aliases are resolved here; an unresolved or exploding alias is the file's fault, reported as such.
  toJS(): unknown {
    try {
      return this.doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      throw new InventoryError(this.file, undefined, undefined, "", `YAML error: ${oneLine((error as Error).message)}`);
    }
  }

  // Position of the value at path; for a key that does not exist, the position of its nearest parent.
  position(path: KeyPath): { line: number; col: number } {
    for (let n = path.length; n >= 0; n--) {
      const node = this.doc.getIn(path.slice(0, n), true) as Node | undefined;
      if (node && node.range) return this.lines.linePos(node.range[0]);
      if (n === 0) break;
    }
    return { line: 1, col: 1 };
  }

  // Position of a key itself (for "unknown key" errors the key, not its value, is the culprit).
  keyPosition(parent: KeyPath, key: string): { line: number; col: number } {
    const map = parent.length === 0 ? this.doc.contents : this.doc.getIn(parent, true);
    if (isMap(map)) {
      for (const item of map.items) {
        if (isPair(item) && isScalar(item.key) && String(item.key.value) === key && item.key.range) {
          return this.lines.linePos(item.key.range[0]);
        }
      }
    }
    return this.position(parent);
  }

  // Builds an InventoryError for a path in this file.
  error(path: KeyPath, problem: string, atKey?: string): InventoryError {
    const pos = atKey !== undefined ? this.keyPosition(path, atKey) : this.position(path);
    const keyPath = formatPath(atKey !== undefined ? [...path, atKey] : path);
    return new InventoryError(this.file, pos.line, pos.col, keyPath, problem);
  }
}

// Dotted key path as operators write it (all.children.controller.hosts.lab1.ansible_port).
export function formatPath(path: KeyPath): string {
  // Keys with blanks or control characters are shown JSON-quoted so the message stays one line.
  const segment = (p: string | number) => (typeof p === "number" ? `[${p}]` : /^[\w.:-]+$/.test(p) ? p : oneLine(JSON.stringify(p)));
  return path.map(segment).join(".").replaceAll(".[", "[");
}

// JSON.stringify leaves U+2028/U+2029 as they are; messages must stay on one line whatever the input.
