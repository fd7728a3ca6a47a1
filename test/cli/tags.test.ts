// --tags and --skip-tags take only tags that select something in the chosen playbook.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { playbooks } from "../../playbooks/index.js";
import { checkTags, knownTags } from "../../src/cli/tags.js";
import { UsageError } from "../../src/errors.js";
import { tasksOf } from "../../src/plan/types.js";

describe("known tags", () => {
  const expected: [playbook: string, tags: string[]][] = [
    ["glance", ["always", "config", "database", "glance", "handler", "images", "keystone", "packages", "preflight", "service", "verify"]],
    ["mariadb", ["always", "config", "handler", "mariadb", "packages", "preflight", "service"]],
    ["verify", ["always", "handler", "preflight", "verify"]],
  ];
  for (const [name, tags] of expected) it(name, () => assert.deepEqual(knownTags(playbooks[name]!), tags));

  it("every playbook: each task's and the verification's tags are known", () => {
    for (const playbook of Object.values(playbooks)) {
      const known = knownTags(playbook);
      for (const tag of [...tasksOf(playbook).flatMap((t) => t.tags), ...(playbook.verify?.tags ?? [])]) assert.ok(known.includes(tag), `${playbook.name}: ${tag}`);
    }
  });
});

describe("checkTags", () => {
  const glance = playbooks.glance!;
  const accepted: (string[] | undefined)[] = [undefined, [], ["glance"], ["config", "service"], ["always"], ["handler", "preflight"]];
  for (const tags of accepted) it(`accepts ${JSON.stringify(tags)}`, () => checkTags(glance, "--tags", tags));

  const refused: [flag: string, tags: string[], message: RegExp][] = [
    ["--tags", ["glace"], /^--tags: unknown tag "glace" \(did you mean glance\?\); playbook glance knows: always, config, /],
    ["--skip-tags", ["mariadb"], /^--skip-tags: unknown tag "mariadb"; playbook glance knows: /],
    ["--tags", ["glance", "x", "y"], /^--tags: unknown tags "x", "y"; /],
  ];
  for (const [flag, tags, message] of refused) {
    it(`refuses ${flag} ${tags.join(",")}`, () => {
      assert.throws(() => checkTags(glance, flag, tags), (e: unknown) => e instanceof UsageError && e.exitCode === 5 && message.test(e.message));
    });
  }
});
