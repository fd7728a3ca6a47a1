// The lab: real systemd-booted Debian controller hosts on this machine (see labUp).
export { labUp, validateUpOptions, DEFAULT_PREFIX, type LabUpOptions } from "./up.js";
export { labDown, type LabDownOptions } from "./down.js";
export { labStatus, type LabStatus, type HostStatus } from "./status.js";
export { labExec, labHost, sshArgs, type LabExecResult } from "./ssh.js";
export { labSnapshot, labSnapshots, labDeleteSnapshot, type SnapshotMeta, type SnapshotOptions } from "./snapshot.js";
export { labUpgrade, type LabUpgradeOptions, type LabUpgradeResult } from "./upgrade.js";
export { DEFAULT_LAB_RELEASE } from "./packages.js";
export { labPaths, type LabPaths } from "./paths.js";
export type { LabState, HostState } from "./state.js";
export { LabError } from "./errors.js";
