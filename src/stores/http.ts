import type { StoreModule } from "./types.js";

// Images registered by URL (read-only: nothing is uploaded to it), as the guide's default `file,http`.
export const httpStore: StoreModule = {
  type: "http",
  writable: false,
  packages: () => [],
  section: () => ({}),
  directories: () => [],
};
