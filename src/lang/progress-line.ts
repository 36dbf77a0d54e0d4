/**
 * The line a front end shows while a command's long work runs.
 *
 * Why: the REPL reaches renderers through `lang`; this is the one it needs for jobs.
 */
import type { Progress } from "./command.js";
import { progressBar } from "../format/progress.js";

/** "stats 100000  ██████░░░░░░░░░░  38%  38,144 of 100,000 connections — Ctrl-C stops it" */
export function progressLine(command: string, p: Progress): string {
  return `${command}  ${progressBar(p, p.unit)} — Ctrl-C stops it`;
}
