import { quote } from "shlex";
import type { FactSpec } from "./batch.js";

// Files on the host: the tool's own files (file task) and package files it adjusts in place (editFile task).

export interface FileState {
  exists: boolean;
  mode?: number;
  owner?: string;
  group?: string;
  sha256?: string;
}

// stat and hash in one probe; content is only fetched when it differs and a diff is wanted.
export function fileFact(path: string): FactSpec<FileState> {
  return {
    key: `file:${path}`,
    command: `stat -c '%a %U %G' ${quote(path)} && sha256sum ${quote(path)}`,
    parse(stdout, code) {
      if (code !== 0) return { exists: false };
      const [statLine = "", hashLine = ""] = stdout.trim().split("\n");
      const [mode = "", owner, group] = statLine.split(" ");
      return { exists: true, mode: parseInt(mode, 8), owner, group, sha256: hashLine.split(" ")[0] } as FileState;
    },
  };
}

export interface FileContent {
  exists: boolean;
  content: string;
  mode?: number;
  owner?: string;
  group?: string;
}

// Whole content plus ownership of a file the package owns and we only adjust.
export function fileContentFact(path: string): FactSpec<FileContent> {
  return {
    key: `content:${path}`,
    command: `stat -c '%a %U %G' ${quote(path)} && cat ${quote(path)}`,
    parse(stdout, code) {
      if (code !== 0) return { exists: false, content: "" };
      const nl = stdout.indexOf("\n");
      const [mode = "644", owner, group] = stdout.slice(0, nl).split(" ");
      return { exists: true, content: stdout.slice(nl + 1), mode: parseInt(mode, 8), owner, group } as FileContent;
    },
  };
}

export interface DirectoryState {
  // "directory", "regular file", … as stat names it; undefined when nothing is there.
  kind?: string;
  mode?: number;
  owner?: string;
  group?: string;
}

// What stands at a path, with its mode and owner.
export function directoryFact(path: string): FactSpec<DirectoryState> {
  return {
    key: `dir:${path}`,
    command: `stat -c '%F|%a %U %G' ${quote(path)}`,
    parse(stdout, code) {
      if (code !== 0) return {};
      const [kind, rest = ""] = stdout.trim().split("|");
      const [mode = "", owner, group] = rest.split(" ");
      return { kind, mode: parseInt(mode, 8), owner, group } as DirectoryState;
    },
  };
}
