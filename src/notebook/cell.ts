/**
 * A notebook cell in the command language, run line by line on one Session.
 *
 * Why: a cell holds several commands; the kernel runs them as `-e` scripts run theirs, stops at
 * the first error and says on which line and column of the cell it happened (cell-lines.ts
 * splits the cell). Pure: no I/O, so the worker thread and the unit tests call the same code.
 */
import type { Session } from "../lang/session.js";
import { runLine, type RunResult } from "../lang/commands/index.js";
import { cutLongResult } from "../lang/long-output.js";
import { mimeBundle } from "../format/rich/mime.js";
import { cellPosition, splitCell } from "./cell-lines.js";

export { cellPosition, hasOpenQuote, isComplete, splitCell, type CommandLine, type IsComplete } from "./cell-lines.js";

/** What one command line gave: the MIME bundle to show, a note for stderr, whether it asked to quit. */
export interface LineOutput {
  line: number;
  bundle?: Record<string, string>;
  note?: string;
  quit?: boolean;
}

export interface CellError {
  /** The one-line message: where in the cell, what, and the hint. */
  evalue: string;
  line: number;
  /** Commands of the cell after the failing one, not run. */
  skipped: number;
}

/** The parts of a failed RunResult: its `failure` fields, or the error text ("column N: …") when there are none. */
export function errorParts(r: RunResult): { message: string; col?: number; hint?: string } | undefined {
  const e: unknown = r.error;
  const loose = r as unknown as { col?: unknown; hint?: unknown; message?: unknown; failure?: unknown };
  if (e === undefined || e === null || e === false) return undefined;
  if (loose.failure && typeof loose.failure === "object") {
    const f = loose.failure as { message?: unknown; col?: unknown; hint?: unknown };
    return { message: String(f.message ?? e), col: typeof f.col === "number" ? f.col : undefined, hint: typeof f.hint === "string" ? f.hint : typeof loose.hint === "string" ? loose.hint : undefined };
  }
  if (typeof e === "object") {
    const o = e as { message?: unknown; col?: unknown; hint?: unknown };
    return { message: String(o.message ?? ""), col: typeof o.col === "number" ? o.col : undefined, hint: typeof o.hint === "string" ? o.hint : undefined };
  }
  const text = String(e);
  const m = /^column (\d+): (.*)$/s.exec(text);
  const col = typeof loose.col === "number" ? loose.col : m ? Number(m[1]) : undefined;
  const message = typeof loose.message === "string" && loose.message ? loose.message : m ? m[2]! : text;
  return { message, col, hint: typeof loose.hint === "string" ? loose.hint : undefined };
}

/**
 * Runs a cell's commands in order on the session; `emit` gets each command's output as soon as it
 * is there. Returns the first error (the rest of the cell is not run), or undefined.
 */
export function runCell(s: Session, code: string, emit: (o: LineOutput) => void): CellError | undefined {
  const cmds = splitCell(code);
  for (const cmd of cmds) {
    const r = runLine(s, cmd.text);
    const err = errorParts(r);
    if (err) {
      // runLine counts columns after trimming the line; the cell counts them from its start
      const lead = cmd.text.length - cmd.text.trimStart().length;
      const where = err.col !== undefined ? cellPosition(cmd, err.col + lead) : { line: cmd.line, col: undefined };
      const place = cmds.length > 1 || where.line > 1 ? `line ${where.line}${where.col !== undefined ? `, column ${where.col}` : ""}: ` : where.col !== undefined ? `column ${where.col}: ` : "";
      const oneLine = `${place}${err.message}${err.hint ? ` (${err.hint})` : ""}`.replace(/\s*\n\s*/g, " ");
      const skipped = cmds.slice(cmds.indexOf(cmd) + 1).filter((c) => c.text.trim() && !c.text.trim().startsWith("#")).length;
      return { evalue: oneLine, line: where.line, skipped };
    }
    const full = mimeBundle(cutLongResult(r));
    const bundle = Object.values(full).some((v) => v !== "") ? full : undefined;
    if (bundle || r.note || r.quit) emit({ line: cmd.line, bundle, note: r.note, quit: r.quit });
  }
  return undefined;
}
