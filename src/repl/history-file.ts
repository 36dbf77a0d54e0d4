/**
 * Persists REPL history across sessions ($KTRACE_HISTORY, default ~/.ktrace_history).
 *
 * Why: a learner comes back tomorrow and presses up. Failures to read or write are ignored —
 * history is a comfort, never a reason to fail.
 */
import { appendFileSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

const MAX = 1000;

export function historyPath(): string {
  return process.env.KTRACE_HISTORY ?? join(homedir(), ".ktrace_history");
}

export function loadHistory(path = historyPath()): string[] {
  try {
    return readFileSync(path, "utf8").split("\n").filter(Boolean).slice(-MAX);
  } catch {
    return [];
  }
}

export function appendHistory(line: string, path = historyPath()) {
  try {
    appendFileSync(path, line.replace(/\n/g, " ") + "\n");
  } catch {
    /* read-only home: keep going */
  }
}
