/**
 * `--with-diff` / `withDiff`: saves `git diff HEAD` of the working tree beside the trace, so a
 * recording can be matched to the exact uncommitted code it ran.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The `workspace_diff` field of `trace_metadata.json`:
 * - `requested`: whether a diff was asked for;
 * - `path`: the diff file, relative to the trace folder (`workspace.diff`), or null when none
 *   was written;
 * - `base`: the commit the diff is against (`HEAD`'s id);
 * - `repository`: the repository's top folder;
 * - `error`: why there is no diff (not a git repository, git missing, …).
 * Untracked files are not part of `git diff HEAD`; `untracked` counts them so a reader knows.
 */
export interface WorkspaceDiffInfo {
  requested: boolean;
  path: string | null;
  base?: string;
  repository?: string;
  untracked?: number;
  error?: string;
}

function git(cwd: string, args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", maxBuffer: 512 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
}

/**
 * Runs `git diff HEAD` in `workdir`'s repository and writes it to `file`. Never throws: a
 * failure is described in the result's `error`.
 */
export function saveWorkspaceDiff(workdir: string, file: string): WorkspaceDiffInfo {
  try {
    const repository = git(workdir, ["rev-parse", "--show-toplevel"]).trim();
    const base = git(workdir, ["rev-parse", "HEAD"]).trim();
    const diff = git(repository, ["diff", "HEAD", "--no-color", "--no-ext-diff"]);
    const untracked = git(repository, ["ls-files", "--others", "--exclude-standard", "-z"]).split("\0").filter(Boolean).length;
    fs.writeFileSync(file, diff);
    return { requested: true, path: path.basename(file), base, repository, untracked };
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    const reason = e.code === "ENOENT" ? "git is not installed" : (e.stderr?.trim() || e.message).split("\n")[0]!;
    return { requested: true, path: null, error: reason };
  }
}
