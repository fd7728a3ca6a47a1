// Paths as OpenSSH users write them: `~` for the home directory and, in IdentityFile, OpenSSH's % tokens.
import { homedir, hostname, userInfo } from "node:os";
import { join, resolve } from "node:path";

export interface PathTokens {
  host: string;
  port: number;
  user: string;
  alias: string;
}

// Why: IdentityFile may use ~ and OpenSSH's % tokens, which ssh -G leaves unexpanded; an unknown token stays as
// written so the key shows up as unusable in the error instead of silently becoming another file.
export function expandSshPath(path: string, tokens: PathTokens): string {
  const home = homedir();
  const local = userInfo().username;
  const withTokens = path.replace(/%(.)/g, (all, t: string) => {
    const value: Record<string, string> = {
      "%": "%",
      d: home,
      h: tokens.host,
      p: String(tokens.port),
      r: tokens.user,
      n: tokens.alias,
      u: local,
      l: hostname(),
      L: hostname().split(".")[0]!,
      i: String(process.getuid?.() ?? ""),
    };
    return value[t] ?? all;
  });
  return expandHome(withTokens);
}

// Operators write `~/.ssh/id_ed25519`; ssh2 and ssh's Include need a real, absolute path.
export function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") ? join(homedir(), path.slice(1)) : resolve(path);
}
