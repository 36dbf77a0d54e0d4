/**
 * How a notebook cell splits into commands, and whether a cell is complete yet.
 *
 * Why: a line ending in `\` goes on on the next line, and so does an unterminated quote; the
 * same rule splits a cell for running and tells a console (is_complete_request) to wait for
 * more. Kept apart from running (cell.ts) so the kernel's main thread answers is_complete
 * without loading the engine, which lives in the session's worker thread.
 */
import { splitWords } from "../lang/words.js";

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
    if (!cur) {
      // a comment line is whole: a quote or backslash in it does not swallow the next command
      if (raw.trimStart().startsWith("#")) {
        out.push({ text: raw, line: i + 1, pieces: [{ offset: 0, line: i + 1, col: 1 }] });
        return;
      }
      cur = { text: "", line: i + 1, pieces: [] };
    }
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
  const last = splitCell(code).pop();
  if (!last || last.text.trimStart().startsWith("#")) return { status: "complete" };
  if (/\\\s*$/.test(code) || hasOpenQuote(last.text)) return { status: "incomplete", indent: "" };
  return { status: "complete" };
}
