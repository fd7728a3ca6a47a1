// Every form a secret takes on its way into output is masked, JSON bodies included (a Keystone request among a
// change's actions carries the password JSON-escaped when it holds a quote or a backslash).
import assert from "node:assert/strict";
import { it } from "node:test";
import { describeAction, keystoneRequest } from "../../src/plan/actions.js";
import { redactor } from "../../src/secrets/redactor.js";

const hostile = ['quo"te\\back', "tab\there", "new\\nline$x", "ünï\"✓"];

for (const secret of hostile) {
  it(`a Keystone body holding ${JSON.stringify(secret)} is masked in the action's description`, () => {
    redactor.add(secret);
    const line = redactor.redact(describeAction(keystoneRequest("POST", "users", { user: { name: "glance", password: secret } })));
    assert.ok(!line.includes(JSON.stringify(secret).slice(1, -1)), line);
    assert.ok(!line.includes(secret), line);
    assert.match(line, /"password":"\*\*\*"/);
  });
}
