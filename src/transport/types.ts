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

// A command kept running for as long as the caller needs it (e.g. a lock held by an open channel): its stdout
// is read line by line; release() ends its stdin and waits for it to exit. If the connection drops, the remote
// side sees its stdin close too, so whatever the command holds dies with the connection.
export interface HeldCommand {
  // The next line on stdout, or undefined once the command has exited (then `exited` tells how).
  nextLine(): Promise<string | undefined>;
  // Settles when the channel closes; never rejects (a lost connection is code 255 with the reason in stderr).
  readonly exited: Promise<ExecResult>;
  release(): Promise<void>;
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
  // Runs a POSIX sh script (through `sudo -n` when become is set) that stays running until released.
  // Optional: a transport without it gets no host lock.
  hold?(script: string): Promise<HeldCommand>;
  close(): Promise<void>;
}

export type HostKeyPolicy = "strict" | "accept-new";

export interface SshTarget {
  // Inventory name.
  name: string;
  // Address, DNS name or OpenSSH config alias (resolved through `ssh -G` when sshConfig is set).
  address: string;
  // Unset: the ssh config's Port, else 22.
  port?: number;
  // Unset: the ssh config's User, else root.
  user?: string;
  // Unset: the ssh config's IdentityFile; without one, the agent and OpenSSH's default identities.
  privateKeyPath?: string;
  // Path of an ssh-agent socket; defaults to SSH_AUTH_SOCK.
  agentSocket?: string;
  // Wrap commands in `sudo -n` (ansible_become) when the user is not root.
  become: boolean;
  // Applies to the target and to every jump host on the way.
  hostKeyPolicy: HostKeyPolicy;
  // Checked in order; accept-new writes to the first one.
  knownHostsFiles: string[];
  connectTimeoutMs?: number;
  // Channels in flight on one connection (OpenSSH MaxSessions defaults to 10).
  maxChannels?: number;
  // Jump hosts in OpenSSH ProxyJump syntax (`user@host:port,user@host2`), walked left to right; `none` turns
  // off one from the ssh config. Unset: the ssh config's ProxyJump.
  proxyJump?: string;
  // Consult OpenSSH's client config (`ssh -G`) for what the fields above leave unset; `file` as `ssh -F`.
  sshConfig?: { file?: string };
}
