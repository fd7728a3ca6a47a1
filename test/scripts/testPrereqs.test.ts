// npm test's first step as data: who runs it and what is installed in, what it does out.
import assert from "node:assert/strict";
import { it } from "node:test";
import { decide } from "../../scripts/test-prereqs.js";

const cases = [
  { title: "everything there: nothing", root: false, installed: ["openssh-server", "openssh-client"], want: { do: "nothing" } },
  { title: "root without sshd: installs it", root: true, installed: ["openssh-client"], want: { do: "install", packages: ["openssh-server"] } },
  { title: "root with neither: installs both", root: true, installed: [], want: { do: "install", packages: ["openssh-server", "openssh-client"] } },
];

for (const c of cases) it(c.title, () => assert.deepEqual(decide(c.root, new Set(c.installed)), c.want));

it("not root without sshd: one line naming the package and the command", () => {
  const step = decide(false, new Set(["openssh-client"]));
  assert.equal(step.do, "stop");
  assert.match((step as { message: string }).message, /^npm test needs openssh-server .*sudo apt-get install openssh-server$/);
  assert.ok(!(step as { message: string }).message.includes("\n"));
});
