import type { StoreModule } from "./types.js";

// A directory on the glance-api host (the install guide's store); not shared between hosts.
export const fileStore: StoreModule = {
  type: "file",
  writable: true,
  packages: () => [],
  section: (backend, vars) => ({ filesystem_store_datadir: (backend.type === "file" && backend.datadir) || vars.glance_filesystem_store_datadir }),
  directories: (backend, vars) => [(backend.type === "file" && backend.datadir) || vars.glance_filesystem_store_datadir],
};
