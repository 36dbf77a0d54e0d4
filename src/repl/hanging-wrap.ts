/**
 * Breaks a long output line for the terminal with a hanging indent: the continuation lines start
 * two columns right of where the line's own text starts, not at the left edge.
 *
 * Why: a walk is a tree drawn with indentation (a chain inside a jump, a rule inside its chain),
 * and its lines carry the whole rule, so on an 80-column terminal most of them wrap. Wrapped by
 * the terminal, the rest of a rule lands at column 0 and reads as a line of its own at the top
 * level; kept under its line, the tree stays a tree. The colours survive the break (wrap-ansi
 * closes and reopens them).
 */
import wrapAnsi from "wrap-ansi";

/** ANSI colour codes, then the spaces of the line's indentation. */
const LEAD = /^((?:\x1b\[[0-9;]*m)*)( *)/;

/** How far continuation lines hang right of the line's text. */
const HANG = 2;

/** `line` as terminal rows of at most `columns` cells (unchanged when it fits). */
export function hangingWrap(line: string, columns: number): string[] {
  if (!(columns >= 20) || line.length <= columns) return [line];
  if (!wrapAnsi(line, columns, { hard: true, trim: false }).includes("\n")) return [line];
  const lead = LEAD.exec(line)!;
  const indent = lead[2]!.length;
  // too deep to hang anything useful: the terminal wraps it
  if (indent + HANG > columns / 2) return [line];
  const body = lead[1]! + line.slice(lead[0].length);
  const rows = wrapAnsi(body, columns - indent - HANG, { hard: true }).split("\n");
  return rows.map((r, i) => " ".repeat(i === 0 ? indent : indent + HANG) + r);
}
