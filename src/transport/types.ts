import type { Duplex } from "node:stream";

// What every task sees of a host: run a command, write a file, open a tunnel. The SSH transport and
// the scripted test transport both implement it, so tasks never know which one they talk to.

export interface ExecOptions {
  // Bytes fed to the command's stdin: the only way a secret reaches a remote command.
  stdin?: string | Buffer;
  // Kill the channel and fail after this long.
  timeoutMs?: number;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface WriteFileOptions {
  mode: number;
  owner?: string;
  group?: string;
}

export interface Transport {
  // Inventory name of the host, used in every message.
  readonly host: string;
  // Runs a POSIX shell command (through `sudo -n` when become is set); never rejects on non-zero exit.
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  // Writes a file atomically: temp file in the same directory, chmod/chown, then rename.
  writeFile(path: string, content: string | Buffer, options: WriteFileOptions): Promise<void>;
  // Opens a TCP stream to host:port as seen from the remote host (SSH direct-tcpip).
  forward(host: string, port: number): Promise<Duplex>;
  close(): Promise<void>;
}

export type HostKeyPolicy = "strict" | "accept-new";

export interface SshTarget {
  // Inventory name.
  name: string;
  address: string;
  port: number;
  user: string;
  privateKeyPath?: string;
  // Path of an ssh-agent socket; defaults to SSH_AUTH_SOCK.
  agentSocket?: string;
  // Wrap commands in `sudo -n` (ansible_become) when the user is not root.
  become: boolean;
  hostKeyPolicy: HostKeyPolicy;
  // Checked in order; accept-new writes to the first one.
  knownHostsFiles: string[];
  connectTimeoutMs?: number;
  // Channels in flight on one connection (OpenSSH MaxSessions defaults to 10).
  maxChannels?: number;
}
