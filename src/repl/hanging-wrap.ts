/**
 * Breaks a long output line for the terminal with a hanging indent: the continuation lines start
 * two columns right of where the line's own text starts (under its second column, in a row of
 * two columns such as help's list), not at the left edge.
 *
 * Why: a walk is a tree drawn with indentation (a chain inside a jump, a rule inside its chain),
 * and its lines carry the whole rule, so on an 80-column terminal most of them wrap. Wrapped by
 * the terminal, the rest of a rule lands at column 0 and reads as a line of its own at the top
 * level; kept under its line, the tree stays a tree. Colours survive the break: a row opens again
 * the colours in force where it starts, and closes them at its end.
 * Every row must fit: ink wraps a whole block with wrap-ansi when one row is too wide, and
 * wrap-ansi measures each word with Intl.Segmenter — 2 ms a 200-character line (measured), so a
 * screen of a walk took seconds. That is also why this is not wrap-ansi.
 */
import { applySgr, sgrOpen } from "../format/sgr.js";

/** How far continuation lines hang right of the line's text. */
const HANG = 2;

/** The furthest column a row's second column may start at for its continuation lines to go under it. */
const MAX_COLUMN_HANG = 24;

/** The most rows one line is drawn in; the rest of a longer line is said, not drawn. */
export const MAX_ROWS_PER_LINE = 200;

/** An SGR colour code at `lastIndex` (sticky). */
const SGR = /\x1b\[([0-9;]*)m/y;
const SGR_ALL = /\x1b\[[0-9;]*m/g;

/** Emoji that a terminal draws two cells wide although they sit among narrow symbols (U+2600–2BFF). */
const WIDE_SYMBOLS = new Set([
  0x231a, 0x231b, 0x23e9, 0x23ea, 0x23eb, 0x23ec, 0x23f0, 0x23f3, 0x25fd, 0x25fe, 0x2614, 0x2615, 0x267f, 0x2693, 0x26a1, 0x26aa, 0x26ab, 0x26bd,
  0x26be, 0x26c4, 0x26c5, 0x26ce, 0x26d4, 0x26ea, 0x26f2, 0x26f3, 0x26f5, 0x26fa, 0x26fd, 0x2705, 0x270a, 0x270b, 0x2728, 0x274c, 0x274e, 0x2753,
  0x2754, 0x2755, 0x2757, 0x2795, 0x2796, 0x2797, 0x27b0, 0x27bf, 0x2b1b, 0x2b1c, 0x2b50, 0x2b55,
]);

/**
 * Terminal cells a code point takes: 0 for combining marks and zero-width joiners, 2 for wide
 * characters (CJK, emoji), else 1. U+FE0F (emoji presentation) counts 1: it widens the character
 * before it.
 */
function cellsOf(cp: number): number {
  if (cp < 0x300) return 1;
  if (cp === 0xfe0f) return 1;
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0e)) return 0;
  if (
    WIDE_SYMBOLS.has(cp) ||
    (cp >= 0x2648 && cp <= 0x2653) ||
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

/** The text without its colour codes. */
function visible(text: string): string {
  return text.replace(SGR_ALL, "");
}

/** The cells a piece of a line takes on the terminal. */
export function visibleCells(text: string): number {
  let n = 0;
  for (const c of visible(text)) n += cellsOf(c.codePointAt(0)!);
  return n;
}

/** Tabs as the spaces a terminal moves over (to the next multiple of 8). */
function expandTabs(line: string): string {
  let col = 0;
  let out = "";
  let last = 0;
  for (let i = 0; i < line.length; i++) {
    if (line.charCodeAt(i) === 27) {
      SGR.lastIndex = i;
      if (SGR.test(line)) i = SGR.lastIndex - 1;
      continue;
    }
    if (line.charCodeAt(i) === 9) {
      const n = 8 - (col % 8);
      out += line.slice(last, i) + " ".repeat(n);
      last = i + 1;
      col += n;
    } else col++;
  }
  return out + line.slice(last);
}

/** `line` as terminal rows of at most `columns` cells (unchanged when it fits). */
export function hangingWrap(line: string, columns: number): string[] {
  columns = Math.max(8, Math.floor(columns) || 80);
  // a character takes at most two cells: a line this short fits without measuring
  if (line.length * 2 <= columns) return [line];
  if (line.includes("\t")) line = expandTabs(line);
  if (visibleCells(line) <= columns) return [line];
  // the indentation: colour codes, then spaces
  let open: number[] = [];
  let at = 0;
  for (;;) {
    SGR.lastIndex = at;
    const code = SGR.exec(line);
    if (!code) break;
    open = applySgr(open, code[1]!);
    at = SGR.lastIndex;
  }
  let indent = 0;
  while (line.charCodeAt(at + indent) === 32) indent++;
  // too deep (or the terminal too narrow) to hang anything useful: the rows start at the edge
  const hangs = columns >= 20 && indent + HANG <= columns / 2;
  if (!hangs) indent = 0;
  // a row of two columns ("  send      send one packet …", help's list; a conntrack or -L row):
  // the rest goes under the second column, when that is near the left
  const column = hangs ? /^[^\s\x1b]+ {2,}(?=\S)/.exec(line.slice(at + indent)) : null;
  const hangAt = column && indent + column[0].length <= Math.min(MAX_COLUMN_HANG, columns / 2) ? indent + column[0].length : indent + HANG;
  const firstWidth = columns - indent;
  const width = hangs ? columns - hangAt : columns;
  const pad = " ".repeat(indent);
  const hang = hangs ? " ".repeat(hangAt) : "";

  const rows: string[] = [];
  let row = "";
  let cells = 0;
  /** the colours in force where the row starts */
  let rowOpen = open;
  /** the row has a visible character that is not a space (a break before it would leave an empty row) */
  let rowHasText = false;
  /** where the row may break: just after its last space, with the colours in force there */
  let breakAt = -1;
  let breakOpen = open;
  const finish = (text: string, startOpen: readonly number[], endOpen: readonly number[]) => {
    const prefix = rows.length === 0 ? pad : hang;
    rows.push(`${prefix}${sgrOpen(startOpen)}${text.trimEnd()}${startOpen.length || endOpen.length || text.includes("\x1b[") ? "\x1b[0m" : ""}`);
  };
  /** the colours a piece of text leaves in force, from `start` */
  const openAfter = (text: string, start: readonly number[]) => {
    let o = [...start];
    for (const m of text.matchAll(/\x1b\[([0-9;]*)m/g)) o = applySgr(o, m[1]!);
    return o;
  };
  let i = at + indent;
  while (i < line.length) {
    SGR.lastIndex = i;
    const code = SGR.exec(line);
    if (code) {
      open = applySgr(open, code[1]!);
      row += code[0];
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
        const head = breakAt >= 0 ? row.slice(0, breakAt) : row;
        finish(head, rowOpen, openAfter(head, rowOpen));
        rows.push(`${hang}… ${rest.toLocaleString("en-US")} more characters on this line (add > FILE to the command to write all of it)`);
        return rows;
      }
      if (breakAt >= 0) {
        // break after the last space: what follows it starts the next row
        const head = row.slice(0, breakAt);
        finish(head, rowOpen, breakOpen);
        row = row.slice(breakAt).replace(/^((?:\x1b\[[0-9;]*m)*) +/, "$1");
        cells = visibleCells(row);
        rowHasText = cells > 0;
        rowOpen = breakOpen;
      } else {
        // one word wider than the row: cut it where the row is full
        const cut = cutAtCells(row, rows.length === 0 ? firstWidth : width, rowOpen);
        finish(cut.head, rowOpen, cut.open);
        row = cut.tail;
        cells = visibleCells(row);
        rowHasText = cells > 0;
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
      if (rowHasText) {
        breakAt = row.length;
        breakOpen = open;
      }
    } else rowHasText = true;
  }
  if (rows.length === 0) return [line];
  if (visible(row).trim() !== "") finish(row, rowOpen, open);
  return rows;
}

/** `text` cut after `max` cells, with the colours in force where the tail starts. */
function cutAtCells(text: string, max: number, open: readonly number[]): { head: string; tail: string; open: number[] } {
  let state = [...open];
  let cells = 0;
  let i = 0;
  while (i < text.length) {
    SGR.lastIndex = i;
    const code = SGR.exec(text);
    if (code) {
      state = applySgr(state, code[1]!);
      i = SGR.lastIndex;
      continue;
    }
    const cp = text.codePointAt(i)!;
    if (cells + cellsOf(cp) > max && cells > 0) break;
    cells += cellsOf(cp);
    i += cp > 0xffff ? 2 : 1;
  }
  return { head: text.slice(0, i), tail: text.slice(i), open: state };
}
