/**
 * Breaks a long output line for the terminal with a hanging indent: the continuation lines start
 * two columns right of where the line's own text starts, not at the left edge.
 *
 * Why: a walk is a tree drawn with indentation (a chain inside a jump, a rule inside its chain),
 * and its lines carry the whole rule, so on an 80-column terminal most of them wrap. Wrapped by
 * the terminal, the rest of a rule lands at column 0 and reads as a line of its own at the top
 * level; kept under its line, the tree stays a tree. Colours survive the break: a continuation
 * row opens again the colours in force where it starts.
 * Written here rather than with wrap-ansi, which measures every word with Intl.Segmenter: 2 ms
 * for one 200-character line, so a screen of a walk's lines took seconds (measured).
 */

/** How far continuation lines hang right of the line's text. */
const HANG = 2;

/** The most rows one line is drawn in; the rest of a longer line is said, not drawn. */
export const MAX_ROWS_PER_LINE = 200;

/** An SGR colour code at `i`, or undefined. */
const SGR = /\x1b\[[0-9;]*m/y;

/** Terminal cells a code point takes: 0 for combining marks, 2 for wide (CJK, emoji), else 1. */
function cellsOf(cp: number): number {
  if (cp < 0x300) return 1;
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  )
    return 2;
  return 1;
}

/** `line` as terminal rows of at most `columns` cells (unchanged when it fits). */
export function hangingWrap(line: string, columns: number): string[] {
  if (!(columns >= 20) || line.length <= columns) return [line];
  // the indentation: colour codes, then spaces
  let at = 0;
  let lead = "";
  for (SGR.lastIndex = 0; SGR.test(line); SGR.lastIndex = at) {
    lead += line.slice(at, SGR.lastIndex);
    at = SGR.lastIndex;
  }
  let indent = 0;
  while (line.charCodeAt(at + indent) === 32) indent++;
  // too deep to hang anything useful: the terminal wraps it
  if (indent + HANG > columns / 2) return [line];
  // the first row from the indentation, the others two columns further
  const firstWidth = columns - indent;
  const width = columns - indent - HANG;
  const pad = " ".repeat(indent);
  const hang = " ".repeat(indent + HANG);

  const rows: string[] = [];
  /** the colour codes in force since the last reset (what a new row opens again) */
  let open = lead;
  let row = "";
  let cells = 0;
  /** where the row may break: just after its last space, with the colours in force there */
  let breakAt = -1;
  let breakOpen = "";
  let rowOpen = lead;
  const finish = (text: string, rowStartOpen: string) => {
    const prefix = rows.length === 0 ? pad : hang;
    rows.push(`${prefix}${rowStartOpen}${text.trimEnd()}${rowStartOpen || /\x1b\[/.test(text) ? "\x1b[0m" : ""}`);
  };
  let i = at + indent;
  while (i < line.length) {
    SGR.lastIndex = i;
    if (SGR.test(line)) {
      const code = line.slice(i, SGR.lastIndex);
      open = code === "\x1b[0m" || code === "\x1b[m" ? "" : open + code;
      row += code;
      i = SGR.lastIndex;
      continue;
    }
    const cp = line.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    const w = cellsOf(cp);
    // (a loop: what follows a break can itself be wider than the next row)
    while (cells + w > (rows.length === 0 ? firstWidth : width) && cells > 0) {
      if (rows.length >= MAX_ROWS_PER_LINE - 2) {
        // far too long to read on screen: the rest is counted, not drawn
        const rest = [...visible(line.slice(i))].length + (breakAt >= 0 ? [...visible(row.slice(breakAt))].length : 0);
        finish(breakAt >= 0 ? row.slice(0, breakAt) : row, rowOpen);
        rows.push(`${hang}… ${rest.toLocaleString("en-US")} more characters on this line (add > FILE to the command to write all of it)`);
        return rows;
      }
      if (breakAt >= 0) {
        // break after the last space: what follows it starts the next row
        finish(row.slice(0, breakAt), rowOpen);
        row = row.slice(breakAt).replace(/^((?:\x1b\[[0-9;]*m)*) +/, "$1");
        cells = visibleCells(row);
        rowOpen = breakOpen;
      } else {
        // one word wider than the row: cut it where the row is full
        const cut = cutAtCells(row, rows.length === 0 ? firstWidth : width, rowOpen);
        finish(cut.head, rowOpen);
        row = cut.tail;
        cells = visibleCells(row);
        rowOpen = cut.open;
      }
      breakAt = -1;
    }
    // a space at the start of a continuation row is the break itself
    if (cp === 32 && cells === 0 && rows.length > 0) {
      i += 1;
      continue;
    }
    row += ch;
    cells += w;
    i += ch.length;
    if (cp === 32) {
      breakAt = row.length;
      breakOpen = open;
    }
  }
  if (rows.length === 0) return [line];
  if (visible(row).trim() !== "") finish(row, rowOpen);
  return rows;
}

/** `text` cut after `max` cells, with the colours in force where the tail starts. */
function cutAtCells(text: string, max: number, open: string): { head: string; tail: string; open: string } {
  let cells = 0;
  let i = 0;
  while (i < text.length) {
    SGR.lastIndex = i;
    if (SGR.test(text)) {
      const code = text.slice(i, SGR.lastIndex);
      open = code === "\x1b[0m" || code === "\x1b[m" ? "" : open + code;
      i = SGR.lastIndex;
      continue;
    }
    const cp = text.codePointAt(i)!;
    if (cells + cellsOf(cp) > max) break;
    cells += cellsOf(cp);
    i += cp > 0xffff ? 2 : 1;
  }
  return { head: text.slice(0, i), tail: text.slice(i), open };
}

/** The text without its colour codes. */
function visible(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}

/** The cells a piece of a line takes on the terminal. */
function visibleCells(text: string): number {
  let n = 0;
  for (const c of visible(text)) n += cellsOf(c.codePointAt(0)!);
  return n;
}
