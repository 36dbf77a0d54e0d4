/**
 * A notebook cell in the command language: split into command lines, run line by line on one
 * Session, and told apart as complete or still being typed.
 *
 * Why: a cell holds several commands; the kernel runs them as `-e` scripts run theirs, stops at
 * the first error and says on which line and column of the cell it happened. A line ending in
 * `\` goes on on the next line, and so does an unterminated quote — the same rule tells a
 * console (is_complete_request) to wait for more. Pure: no I/O, so the worker thread and the
 * unit tests call the same code.
 */
import type { Session } from "../lang/session.js";
import { runLine, type RunResult } from "../lang/commands/index.js";
import { splitWords } from "../lang/words.js";
import { mimeBundle } from "../format/rich/mime.js";

/** One command as the cell spells it, possibly over several physical lines. */
export interface CommandLine {
  text: string;
  /** 1-based line of the cell where the command starts. */
  line: number;
  /** Where each physical piece sits in `text`: offset in text, its cell line, its first column (1-based). */
  pieces: { offset: number; line: number; col: number }[];
}

/** Whether a quote opened in `text` is still open (the same rule splitWords applies). */
export function hasOpenQuote(text: string): boolean {
  try {
    splitWords(text);
    return false;
  } catch {
    return true;
  }
}

/** The cell's commands: `\` at a line's end joins the next line with a space; an open quote joins it with a newline. */
export function splitCell(code: string): CommandLine[] {
  const physical = code.split("\n").map((l) => l.replace(/\r$/, ""));
  const out: CommandLine[] = [];
  let cur: CommandLine | undefined;
  physical.forEach((raw, i) => {
    if (!cur) cur = { text: "", line: i + 1, pieces: [] };
    cur.pieces.push({ offset: cur.text.length, line: i + 1, col: 1 });
    if (/\\\s*$/.test(raw)) {
      cur.text += raw.replace(/\\\s*$/, "") + " ";
      return;
    }
    cur.text += raw;
    if (hasOpenQuote(cur.text) && i < physical.length - 1) {
      cur.text += "\n";
      return;
    }
    out.push(cur);
    cur = undefined;
  });
  if (cur) out.push(cur);
  return out;
}

/** A column of a command line (1-based, in its joined text) as a place in the cell. */
export function cellPosition(cmd: CommandLine, col: number): { line: number; col: number } {
  let at = cmd.pieces[0]!;
  for (const p of cmd.pieces) if (p.offset <= col - 1) at = p;
  return { line: at.line, col: col - at.offset - 1 + at.col };
}

export type IsComplete = { status: "complete" } | { status: "incomplete"; indent: string };

/** A console asks this before sending a cell: wait for more after `\` or an open quote. */
export function isComplete(code: string): IsComplete {
  if (/\\\s*$/.test(code)) return { status: "incomplete", indent: "" };
  const last = splitCell(code).pop();
  if (last && hasOpenQuote(last.text)) return { status: "incomplete", indent: "" };
  return { status: "complete" };
}

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
    const full = mimeBundle(r);
    const bundle = Object.values(full).some((v) => v !== "") ? full : undefined;
    if (bundle || r.note || r.quit) emit({ line: cmd.line, bundle, note: r.note, quit: r.quit });
  }
  return undefined;
}
