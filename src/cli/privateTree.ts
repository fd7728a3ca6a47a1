import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync, type Stats } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname, join, parse, relative, resolve, sep } from "node:path";
import { UsageError } from "../errors.js";

// `render --out` writes real passwords. Every file it writes ends 0600 and every directory it writes into below
// OUT ends 0700, whatever was there before (an earlier 0644 copy, a 0755 directory, the caller's umask). Files
// are replaced by rename, so a symlink or hard link planted at a target is replaced, never followed; a symlink
// among the directories below OUT is refused. OUT itself is created 0700 when missing and left alone when it
// exists (it may be a shared directory such as /tmp).

const lstatOrUndefined = (path: string): Stats | undefined => {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
};

// One line for the operator: what failed, on which path, and the system's reason.
function refuse(out: string, path: string, error: unknown): UsageError {
  const e = error as NodeJS.ErrnoException;
  const why = e.code ? `${e.code} (${e.message.replace(/^\w+: /, "").replace(/, \w+ '.*'$/, "")})` : e.message;
  return new UsageError(`render --out ${out}: cannot write ${path}: ${why}`);
}

// Creates the missing directories of `dir` one level at a time (no recursive mkdir: on some paths, /proc among
// them, it never returns), each new one 0700.
function makeDirs(out: string, dir: string): void {
  const { root } = parse(dir);
  let path = root;
  for (const part of dir.slice(root.length).split(sep).filter(Boolean)) {
    path = join(path, part);
    try {
      const st = statSync(path, { throwIfNoEntry: false });
      if (st === undefined) mkdirSync(path, { mode: 0o700 });
      else if (!st.isDirectory()) throw new UsageError(`render --out ${out}: ${path} is not a directory`);
    } catch (error) {
      throw error instanceof UsageError ? error : refuse(out, path, error);
    }
  }
}

// OUT as an absolute path: created (0700) if missing, and a directory.
export function prepareOut(out: string): string {
  const abs = resolve(out);
  makeDirs(out, abs);
  return abs;
}

// Writes OUT/<rel> privately: directories below OUT 0700, the file 0600, replaced atomically.
export function writePrivate(out: string, root: string, rel: string, content: string): string {
  const target = join(root, rel);
  const within = relative(root, target);
  if (within.split(sep)[0] === ".." || within === "") throw new UsageError(`render --out ${out}: refusing to write outside it: ${rel}`);
  let path = root;
  for (const part of dirname(within).split(sep).filter((p) => p !== ".")) {
    path = join(path, part);
    try {
      const st = lstatOrUndefined(path);
      if (st?.isSymbolicLink()) throw new UsageError(`render --out ${out}: ${path} is a symbolic link; refusing to write through it`);
      if (st && !st.isDirectory()) throw new UsageError(`render --out ${out}: ${path} is not a directory`);
      if (!st) mkdirSync(path, { mode: 0o700 });
      chmodSync(path, 0o700);
    } catch (error) {
      throw error instanceof UsageError ? error : refuse(out, path, error);
    }
  }
  const temp = join(dirname(target), `.${randomBytes(6).toString("hex")}.tmp`);
  try {
    const fd = openSync(temp, "wx", 0o600);
    try {
      writeSync(fd, content);
    } finally {
      closeSync(fd);
    }
    // The creation mode is cut by the umask; the file must end exactly 0600.
    chmodSync(temp, 0o600);
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw refuse(out, target, error);
  }
  return target;
}
