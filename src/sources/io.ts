/**
 * The only door to the outside world for sources: reading files and running read-only commands.
 *
 * Why: the engine and the command language stay pure and testable; tests pass a fake Io, the
 * CLI passes the real one. Commands run with execFile semantics — never through a shell.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";

/** The biggest file ktrace reads: ten times a 10,000-Service kube-proxy node. */
export const MAX_FILE_BYTES = 256 * 2 ** 20;

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
  readFile(p) {
    // a file bigger than any node's ruleset is refused before it is read into memory
    const size = statSync(p).size;
    if (size > MAX_FILE_BYTES) throw Object.assign(new Error(`${(size / 2 ** 20).toFixed(0)} MB is more than ktrace reads (${MAX_FILE_BYTES / 2 ** 20} MB; a 10,000-Service node's rules are about 35 MB)`), { code: "EFBIG" });
    // decoded from a Buffer: Node 20's own utf8 read of a 34 MB file took 0.1–0.2 s longer (measured)
    return readFileSync(p).toString("utf8");
  },
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
