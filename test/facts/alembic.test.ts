import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseAlembic } from "../../src/facts/alembic.js";
import { GLANCE_DIR, glanceScripts, KEYSTONE_DIR, keystoneScripts, probe } from "../helpers/alembicScripts.js";

describe("parseAlembic: grep lines and alembic_version rows", () => {
  it("glance: every revision with its down_revision and depends_on", () => {
    const state = parseAlembic(probe(GLANCE_DIR, glanceScripts, ["wallaby_contract01"]));
    assert.equal(state.graph.size, glanceScripts.length);
    assert.deepEqual(state.graph.get("wallaby_contract01"), ["ussuri_contract01", "wallaby_expand01"]);
    assert.deepEqual(state.graph.get("liberty"), []);
    assert.deepEqual(state.applied, ["wallaby_contract01"]);
  });

  it("keystone: scripts in subdirectories are read", () => {
    const state = parseAlembic(probe(KEYSTONE_DIR, keystoneScripts, ["29e87d24a316", "e25ffa003242"]));
    assert.deepEqual([...state.graph.keys()].sort(), ["27e647c0fad4", "29e87d24a316", "e25ffa003242"]);
    assert.deepEqual(state.graph.get("e25ffa003242"), ["27e647c0fad4"]);
  });

  it("tuples, double quotes and several depends_on ids", () => {
    const state = parseAlembic(["/v/a.py:revision = \"a1\"", "/v/a.py:down_revision = ('b1', 'c1')", "/v/a.py:depends_on = ('d1',)", "@@applied", ""].join("\n"));
    assert.deepEqual(state.graph.get("a1"), ["b1", "c1", "d1"]);
    assert.deepEqual(state.applied, []);
  });

  it("no scripts and no table (package missing, database empty)", () => {
    const state = parseAlembic("@@applied\n");
    assert.equal(state.graph.size, 0);
    assert.deepEqual(state.applied, []);
  });
});
