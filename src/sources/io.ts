/**
 * The only door to the outside world for sources: reading files and running read-only commands.
 *
 * Why: the engine and the command language stay pure and testable; tests pass a fake Io, the
 * CLI passes the real one. Commands run with execFile semantics — never through a shell.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
  missing?: boolean; // the program does not exist
}

export interface Io {
  readFile(path: string): string;
  writeFile(path: string, text: string): void;
  exec(cmd: string, args: string[]): ExecResult;
  isRoot(): boolean;
}

export const nodeIo: Io = {
  readFile: (p) => readFileSync(p, "utf8"),
  writeFile: (p, t) => writeFileSync(p, t),
  exec(cmd, args) {
    const r = spawnSync(cmd, args, { encoding: "utf8", shell: false, timeout: 60_000, maxBuffer: 512 * 1024 * 1024 });
    if (r.error) {
      const missing = (r.error as NodeJS.ErrnoException).code === "ENOENT";
      return { code: null, stdout: "", stderr: String(r.error.message), missing };
    }
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  },
  isRoot: () => typeof process.getuid === "function" && process.getuid() === 0,
};
