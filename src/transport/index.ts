// The transport's public surface, so the engine imports one module and never reaches into internals.
export type { ExecOptions, ExecResult, HostKeyPolicy, SshTarget, Transport, WriteFileOptions } from "./types.js";
export { SshTransport, DEFAULT_MAX_CHANNELS } from "./ssh.js";
export { DEFAULT_CONNECT_TIMEOUT_MS } from "./connect.js";
export { CommandTimeoutError, SecretInArgvError, TunnelError } from "./errors.js";
export { fingerprint, knownHostsName } from "./knownHosts.js";
export { wrapCommand, wrapScript, atomicWriteScript } from "./remoteCommand.js";
