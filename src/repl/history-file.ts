/**
 * Persists REPL history across sessions ($KTRACE_HISTORY, default ~/.ktrace_history).
 *
 * Why: a learner comes back tomorrow and presses up. Each line is one small append (O_APPEND: a
 * crash leaves the file as it was, or with the whole line); when the file grows past twice the
 * lines kept, its last lines are written to a temporary file that replaces it in one rename, so
 * no crash loses the history. Failures to read or write are ignored — history is a comfort,
 * never a reason to fail — and lines that are not text (a corrupt file) are skipped.
 */
import { appendFileSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

const MAX = 1000;
/** Rewrite the file when it is bigger than this (about twice MAX lines of typical commands). */
const COMPACT_BYTES = 2 * MAX * 64;

export function historyPath(): string {
  return process.env.KTRACE_HISTORY ?? join(homedir(), ".ktrace_history");
}

/** A line worth recalling: text, no control characters but tab. */
const isText = (l: string) => l.length > 0 && l.length <= 4096 && !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(l);

export function loadHistory(path = historyPath()): string[] {
  try {
    return readFileSync(path, "utf8").split("\n").filter(isText).slice(-MAX);
  } catch {
    return [];
  }
}

export function appendHistory(line: string, path = historyPath()) {
  try {
    appendFileSync(path, line.replace(/[\r\n]+/g, " ") + "\n");
    if (statSync(path).size > COMPACT_BYTES) compact(path);
  } catch {
    /* read-only home: keep going */
  }
}

/** Keeps the last MAX lines: written aside, then renamed over the file (atomic on one filesystem). */
function compact(path: string) {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, loadHistory(path).join("\n") + "\n");
    renameSync(tmp, path);
  } catch {
    rmSync(tmp, { force: true });
  }
}
