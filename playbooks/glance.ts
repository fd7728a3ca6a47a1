import type { Playbook } from "../src/plan/types.js";
import { file } from "../src/tasks/file.js";
import { glanceApiConf } from "./glanceConfig.js";

// The install guide's Glance chapter, step by step.
export const glance: Playbook = {
  name: "glance",
  group: "controller",
  requires: ["glance_db_password", "glance_keystone_password"],
  tasks: [
    file({ name: "glance-api.conf", tags: ["glance", "config"], notify: ["restart glance-api"], render: glanceApiConf }),
  ],
  handlers: [],
};
