import { seconds, type VarSpec } from "./schemas.js";

// How long the engine waits on the host before it gives up; none of these change what gets installed.
export const engineVars = {
  apt_lock_timeout: { schema: seconds, default: 300, doc: "Seconds to wait for the dpkg lock before failing." },
  service_start_timeout: { schema: seconds, default: 60, doc: "Seconds to wait for a restarted API to answer." },
  host_lock_timeout: {
    schema: seconds,
    default: 300,
    doc: "Seconds to wait for another deploy on the same host to finish (host lock) before failing.",
  },
} satisfies Record<string, VarSpec>;
