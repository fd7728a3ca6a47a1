import { flushHandlers, once, type Playbook, type Step } from "../src/plan/types.js";
import { profileFor } from "../src/profiles/index.js";
import { aptPackages } from "../src/tasks/aptPackages.js";
import { editFile } from "../src/tasks/editFile.js";
import { restartHandler, service } from "../src/tasks/service.js";
import { controllerResolves, releaseSupported } from "../src/preflight/host.js";

// Debian's memcached.conf listens on 127.0.0.1 via `-l`; the guide points it at the management address.
// Every -l/-p line is replaced by ours, placed where the first of them was.
export function memcachedListen(content: string, address: string, port: number): string {
  const option = /^-[lp]\s/;
  const lines = content.split("\n");
  const first = lines.findIndex((l) => option.test(l));
  const kept = lines.filter((l) => !option.test(l));
  const at = first >= 0 ? first : kept.at(-1) === "" ? kept.length - 1 : kept.length;
  kept.splice(at, 0, `-l ${address}`, `-p ${port}`);
  return kept.join("\n");
}

// memcached on the first controller, where memcached_servers (default controller:11211) points.
export const memcachedSteps: Step[] = [
  {
    name: "memcached",
    tasks: [
      ...once([
        aptPackages({ name: "memcached packages", tags: ["memcached", "packages"], packages: (v) => profileFor(v).packages.memcached }),
        editFile({
          name: "memcached listens on the management address",
          tags: ["memcached", "config"],
          path: (v) => profileFor(v).paths.memcachedConf,
          notify: ["restart memcached"],
          edit: (content, v) => memcachedListen(content, v.management_address, v.memcached_port),
        }),
        service({ name: "memcached running", tags: ["memcached", "service"], unit: (v) => profileFor(v).units.memcached, restartedBy: "restart memcached" }),
      ]),
      flushHandlers("memcached ready", ["restart memcached"]),
    ],
  },
];

export const memcached: Playbook = {
  name: "memcached",
  group: "controller",
  preflight: [releaseSupported, controllerResolves],
  steps: memcachedSteps,
  handlers: [restartHandler("restart memcached", (v) => profileFor(v).units.memcached)],
};
