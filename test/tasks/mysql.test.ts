import { createHash } from "node:crypto";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { nativePasswordHash } from "../../src/tasks/mysql.js";
import { redactor } from "../../src/secrets/redactor.js";

describe("nativePasswordHash: MariaDB's PASSWORD()", () => {
  const known: [string, string][] = [
    ["password", "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19"],
    ["root", "*81F5E21E35407D884A6CD4A731AEBFB6AF209E1B"],
  ];
  for (const [password, hash] of known) {
    it(`PASSWORD('${password}') = ${hash}`, () => assert.equal(nativePasswordHash(password), hash));
  }

  it("is 41 characters, upper-case hex after '*', and differs per password", () => {
    for (const p of ["a", "é", "x".repeat(500), "p'\"$\\ ;#"]) assert.match(nativePasswordHash(p), /^\*[0-9A-F]{40}$/);
    assert.notEqual(nativePasswordHash("a"), nativePasswordHash("b"));
  });

  it("hashes the Latin-1 bytes, which is what PyMySQL sends for a str password", () => {
    const sha1 = (b: Buffer) => createHash("sha1").update(b).digest();
    const expected = "*" + sha1(sha1(Buffer.from([0x70, 0xe9]))).toString("hex").toUpperCase();
    assert.equal(nativePasswordHash("pé"), expected);
  });

  it("registers the hash with the redactor", () => {
    const hash = nativePasswordHash("hash-me-please");
    assert.equal(redactor.redact(`x ${hash} y`), "x *** y");
  });
});
