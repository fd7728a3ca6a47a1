import { z } from "zod";
import { flag, text, type VarSpec } from "./schemas.js";

// Inventories written for Ansible carry Ansible's own connection variables. Those that mean something here
// are read (under their other names below, or checked in the table); those that do not apply are accepted
// and documented as not used, so an existing inventory loads while a typo still fails.

// Ansible's alternative names of variables the tool uses: a value under one of these is read as the
// variable it stands for (in the same place of the inventory, so precedence is unchanged).
export const ansibleAliases: Record<string, string> = {
  ansible_ssh_host: "ansible_host",
  ansible_ssh_port: "ansible_port",
  ansible_ssh_user: "ansible_user",
  ansible_private_key_file: "ansible_ssh_private_key_file",
  ansible_ssh_timeout: "ssh_connect_timeout",
};

const scalar = z.union([z.string(), z.number(), z.boolean()]);

// A variable that must hold the one value the tool works with; anything else would be silently wrong.
function only(value: string, why: string) {
  return z.literal(value, { error: `only \`${value}\` is supported: ${why}` });
}

export const ansibleVars = {
  ansible_connection: {
    schema: only("ssh", "the tool reaches every host over SSH itself (`local` would mean this machine)"),
    doc: "Accepted when `ssh`, which is what the tool always does; `local` or any other value is refused.",
  },
  ansible_become_user: {
    schema: only("root", "commands run as root, directly or through `sudo -n` (ansible_become)"),
    doc: "Accepted when `root`: commands run as root (through `sudo -n` with ansible_become); another user is refused.",
  },
  ansible_become_method: {
    schema: only("sudo", "commands are run through `sudo -n`"),
    doc: "Accepted when `sudo`, the only method used; another method is refused.",
  },
  ansible_ssh_extra_args: { schema: text, doc: "Not used (Ansible's extra `ssh` command-line options)." },
  ansible_sftp_extra_args: { schema: text, doc: "Not used (files are written over the SSH connection, not by sftp)." },
  ansible_scp_extra_args: { schema: text, doc: "Not used (files are written over the SSH connection, not by scp)." },
  ansible_ssh_transfer_method: { schema: text, doc: "Not used (files are written over the SSH connection)." },
  ansible_ssh_executable: { schema: text, doc: "Not used (the tool speaks SSH itself; no `ssh` process is started)." },
  ansible_ssh_retries: { schema: scalar, doc: "Not used (a host that cannot be reached fails the run for that host, exit 4)." },
  ansible_ssh_pipelining: { schema: flag, doc: "Not used (commands are sent over one connection per host)." },
  ansible_pipelining: { schema: flag, doc: "Not used (commands are sent over one connection per host)." },
  ansible_host_key_checking: { schema: flag, doc: "Not used: host keys are always checked, as `ssh_host_key_policy` says." },
  ansible_python_interpreter: { schema: text, doc: "Not used (nothing runs Python on the host for the tool)." },
  ansible_shell_type: { schema: text, doc: "Not used (commands are POSIX `sh` scripts)." },
  ansible_shell_executable: { schema: text, doc: "Not used (commands run under `sh -c`)." },
  ansible_become_flags: { schema: text, doc: "Not used (commands run through `sudo -n --`)." },
  ansible_become_exe: { schema: text, doc: "Not used (commands run through `sudo`)." },
  ansible_password: { schema: text, secret: true, doc: "Not used: the tool logs in with a key (ansible_ssh_private_key_file or ssh-agent) only." },
  ansible_ssh_pass: { schema: text, secret: true, doc: "Not used: the tool logs in with a key (ansible_ssh_private_key_file or ssh-agent) only." },
  ansible_become_pass: { schema: text, secret: true, doc: "Not used: commands run through `sudo -n`, so the user needs passwordless sudo." },
  ansible_become_password: { schema: text, secret: true, doc: "Not used: commands run through `sudo -n`, so the user needs passwordless sudo." },
} satisfies Record<string, VarSpec>;
