// Debian releases the playbooks are written and tested for. `os_release` accepts only these, so a new
// release is added here once its packages and paths have been checked.
export const SUPPORTED_RELEASES = ["bookworm", "trixie"] as const;

export type Release = (typeof SUPPORTED_RELEASES)[number];
